"""Topic names per instrument and the configuration each topic is created with.

The single naming rule is ``{instrument}_{suffix}``; the ``dev`` flag of the ESS backend
never changes a livedata topic name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Self

_MIB = 1024 * 1024


class StreamKind(StrEnum):
    """The livedata topics, by the suffix that follows the instrument name."""

    DATA = "livedata_data"
    STATUS = "livedata_heartbeat"
    RESPONSES = "livedata_responses"
    COMMANDS = "livedata_commands"
    ROI = "livedata_roi"
    NICOS_DATA = "livedata_nicos_data"
    # Owned by livedash, not part of upstream: the shared configuration store (compacted).
    LIVEDASH_CONFIG = "livedash_config"


def topic_for(instrument: str, kind: StreamKind) -> str:
    """The topic name of ``kind`` for ``instrument``, e.g. ``dummy_livedata_data``."""
    if not instrument or "/" in instrument or ":" in instrument:
        raise ValueError(f"invalid instrument name {instrument!r}")
    return f"{instrument}_{kind.value}"


@dataclass(frozen=True)
class LivedataTopics:
    """Every livedata topic name of one instrument, one field per :class:`StreamKind`.

    The session stack and the fake backend each use the topics they need from it (their
    own thin subclasses add which ones they read).
    """

    data: str
    status: str
    responses: str
    commands: str
    roi: str
    nicos_data: str
    livedash_config: str

    @classmethod
    def for_instrument(cls, instrument: str) -> Self:
        """The topics of ``instrument``; ValueError for an invalid instrument name."""
        return cls(
            data=topic_for(instrument, StreamKind.DATA),
            status=topic_for(instrument, StreamKind.STATUS),
            responses=topic_for(instrument, StreamKind.RESPONSES),
            commands=topic_for(instrument, StreamKind.COMMANDS),
            roi=topic_for(instrument, StreamKind.ROI),
            nicos_data=topic_for(instrument, StreamKind.NICOS_DATA),
            livedash_config=topic_for(instrument, StreamKind.LIVEDASH_CONFIG),
        )


@dataclass(frozen=True)
class TopicSpec:
    """A topic to create: name, partitions and broker-side configuration."""

    name: str
    partitions: int = 1
    config: dict[str, str] = field(default_factory=dict)


def _delete_policy(retention_ms: int, max_bytes: int) -> dict[str, str]:
    return {
        "cleanup.policy": "delete",
        "retention.ms": str(retention_ms),
        "max.message.bytes": str(max_bytes),
    }


def livedata_topic_specs(instrument: str) -> list[TopicSpec]:
    """The topics the ESS setup script creates for the livedata system, plus livedash's own.

    Retention and size limits follow ``setup-kafka-topics.sh`` (PROTOCOL.md 1.3): data and
    ROI keep 30 s and allow 100 MiB messages; commands, responses and heartbeats keep
    48 h with 1 MiB messages. The livedash configuration topic is compacted (latest
    document per key wins).
    """
    short, long_ = 30_000, 48 * 3600 * 1000
    return [
        TopicSpec(topic_for(instrument, StreamKind.DATA), config=_delete_policy(short, 100 * _MIB)),
        TopicSpec(topic_for(instrument, StreamKind.ROI), config=_delete_policy(short, 100 * _MIB)),
        TopicSpec(topic_for(instrument, StreamKind.COMMANDS), config=_delete_policy(long_, _MIB)),
        TopicSpec(topic_for(instrument, StreamKind.RESPONSES), config=_delete_policy(long_, _MIB)),
        TopicSpec(topic_for(instrument, StreamKind.STATUS), config=_delete_policy(long_, _MIB)),
        TopicSpec(
            topic_for(instrument, StreamKind.LIVEDASH_CONFIG),
            config={"cleanup.policy": "compact", "max.message.bytes": str(_MIB)},
        ),
    ]
