"""Where a consumer starts each partition: the end, the beginning, or the last seconds.

Positions are chosen per topic (``start_positions`` overriding one ``start``) when an
:class:`~livedash.kafka.consumer.AssignedConsumer` is created; the in-memory consumer
follows the same rules.

``"recent"`` starts a partition at the first message of the last ``recent_s`` seconds
(Kafka's ListOffsets by timestamp, as ``offsets_for_times``), at most
:data:`RECENT_MAX_MESSAGES` before the end: a new session then shows the latest result
of every running job at once instead of waiting for the next one (ADR 0012). Where no
message is that recent, it starts at the end. Brokers differ in how they say "no message
at or after this time": Kafka answers offset -1, Tansu answers 0, which is also a valid
offset; so the consumer asks once for a time far in the future, whose answer is by
definition "none", and treats the same answer for the real time as "none" too. (On
Tansu that costs the history of a topic whose every message is recent: a new topic's
first seconds.)

``first`` names topics whose history (up to their high watermark at creation) is
delivered before any message of the other topics: those are paused until then, and, with
``wait_for_release``, until the owner also calls
:meth:`~livedash.kafka.consumer.AssignedConsumer.release`; at most ``first_within_s`` in
all. A session reads its configuration and the jobs' recent heartbeats this way, and
releases the rest once it has applied the layout, so the recent results are not dropped
for want of the layout that asks for them or of the job generation they belong to (ADR
0012).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import confluent_kafka
from confluent_kafka import KafkaException, TopicPartition

from .errors import BrokerUnavailableError, translate

Start = Literal["end", "beginning", "recent"]
STARTS: tuple[Start, ...] = ("end", "beginning", "recent")

# How far back "recent" reaches, and at most how many messages per partition.
DEFAULT_RECENT_S = 5.0
RECENT_MAX_MESSAGES = 1000
# "No message at or after": asked once per partition, for a time this far ahead.
_FUTURE_MS = 10 * 365 * 24 * 3600 * 1000
# The longest the other topics wait for the ``first`` topics' history.
DEFAULT_FIRST_WITHIN_S = 3.0


def topic_starts(
    topics: Sequence[str], start: Start, start_positions: Mapping[str, Start] | None
) -> dict[str, Start]:
    """Where each of ``topics`` starts: ``start_positions`` overriding ``start``.

    Raises ValueError for a position other than "end"/"beginning" or for a topic in
    ``start_positions`` that is not one of ``topics``.
    """
    overrides = dict(start_positions or {})
    unknown = sorted(set(overrides) - set(topics))
    if unknown:
        raise ValueError(f"start_positions names topics not consumed: {unknown}")
    starts = {topic: overrides.get(topic, start) for topic in topics}
    bad = {topic: value for topic, value in starts.items() if value not in STARTS}
    if bad:
        raise ValueError(f"start positions must be one of {STARTS}, got {bad!r}")
    return starts


def check_first(topics: Sequence[str], first: Sequence[str]) -> None:
    """Raise ValueError if ``first`` (topics read before the others) names a topic that
    is not one of ``topics``."""
    unknown = sorted(set(first) - set(topics))
    if unknown:
        raise ValueError(f"first names topics not consumed: {unknown}")


def pinned_assignment(
    client: confluent_kafka.Consumer,
    partitions: list[TopicPartition],
    starts: Mapping[str, Start],
    deadline: float,
    clock: Callable[[], float],
    *,
    since_ms: int,
    first: Sequence[str] = (),
) -> tuple[list[TopicPartition], dict[tuple[str, int], int]]:
    """``partitions`` with explicit start offsets (``starts`` by topic), and the high
    watermark of every partition that was asked for one.

    "end" pins each partition to its high watermark now rather than leaving "latest"
    to librdkafka, which resolves it lazily at the first fetch: a message produced
    between ``assign()`` and that fetch would be skipped. "recent" pins it to the first
    message at or after ``since_ms`` (see the module docstring). A "beginning"
    partition is asked for its high watermark only if its topic is one of ``first``.
    """
    pinned = []
    highs: dict[tuple[str, int], int] = {}
    for tp in partitions:
        start = starts[tp.topic]
        if start == "beginning" and tp.topic not in first:
            pinned.append(TopicPartition(tp.topic, tp.partition, confluent_kafka.OFFSET_BEGINNING))
            continue
        remaining = deadline - clock()
        if remaining <= 0:
            raise BrokerUnavailableError("timed out fetching high watermarks")
        try:
            low, high = client.get_watermark_offsets(tp, timeout=remaining, cached=False)
            offset = high
            if start == "beginning":
                offset = confluent_kafka.OFFSET_BEGINNING
            elif start == "recent":
                # Two requests: librdkafka answers one partition once per request.
                found, none = (
                    client.offsets_for_times(
                        [TopicPartition(tp.topic, tp.partition, at_ms)],
                        timeout=max(deadline - clock(), 0.001),
                    )[0].offset
                    for at_ms in (since_ms, since_ms + _FUTURE_MS)
                )
                offset = recent_offset(found=found, none=none, low=low, high=high)
        except KafkaException as exc:
            raise translate(exc, topics=[tp.topic], context="fetching offsets") from exc
        highs[(tp.topic, tp.partition)] = high
        pinned.append(TopicPartition(tp.topic, tp.partition, offset))
    return pinned, highs


def recent_offset(
    *, found: int, none: int, low: int, high: int, max_messages: int = RECENT_MAX_MESSAGES
) -> int:
    """Where a "recent" partition starts.

    ``found`` is the broker's answer for the first message at or after the start of the
    window, ``none`` its answer for a time with no message after it (-1 on Kafka, 0 on
    Tansu). Nothing recent (``found`` equals ``none``, is negative, or is not below
    ``high``) starts at the end; otherwise at ``found``, at most ``max_messages`` before
    the end and never before ``low``.
    """
    if found == none or found < 0 or found >= high:
        return high
    return max(found, high - max_messages, low)
