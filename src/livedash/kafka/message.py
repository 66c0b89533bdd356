"""The transport-neutral message every consumer in livedash returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Message:
    """One record read from a topic.

    ``timestamp_ms`` is the record's Kafka timestamp (milliseconds since the epoch) or
    ``None`` when the broker reported none.
    """

    topic: str
    partition: int
    offset: int
    value: bytes
    key: bytes | None
    timestamp_ms: int | None
