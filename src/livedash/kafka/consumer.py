"""A consumer that reads every partition of its topics from the end, without a group.

Like the upstream dashboard (PROTOCOL.md 8) it never calls ``subscribe()``: it
``assign()``s all partitions, pinned to each partition's high watermark at creation, so
it sees exactly the messages produced after it was created and never rebalances. (Tansu
also hangs on ``subscribe()``.) ``start="beginning"`` reads the retained history
instead, for tools such as ``livedash inspect --from-beginning``; ``start_positions``
overrides ``start`` per topic, so one consumer can read a session's live topics from the
end and the compacted configuration topic from the beginning; more positions in
:mod:`livedash.kafka.positions`. (On Tansu the high watermark lags the true end by the
rest of the last record batch, so a new consumer there may also receive that batch's
tail.)

Differences from upstream, on purpose:

- ``enable.auto.commit`` is off. The group id is unique per consumer and offsets are
  never read back, so committing would only leave garbage offsets on the broker.
- Prefetch memory is bounded per consumer. librdkafka's defaults (64 MiB queue plus
  upstream's 100 MiB ``max.partition.fetch.bytes``) do not fit hundreds of sessions in
  one worker. Here the local queue is ``queued_max_kbytes`` (2 MiB) and one fetch
  response is ``fetch_max_bytes`` (2 MiB), so a consumer holds roughly 4 MiB plus at
  most one oversized message. Messages up to ``max_message_bytes`` (100 MiB) still
  arrive: since Kafka 0.10.1 (KIP-74) a broker returns the first record batch even when
  it exceeds the fetch limits, and ``receive.message.max.bytes`` is raised to fit it.
  Measured against Tansu with 20 MiB waiting and a reader taking one message at a
  time: these defaults keep about 2 MiB prefetched, librdkafka's take all 20 MiB.
- ``message.max.bytes`` from the shared settings is replaced by at most 1 MB (the
  librdkafka default): it limits the size of requests the client sends, which for a
  consumer are small, and librdkafka refuses a ``fetch.max.bytes`` below it.

A partition that starts over (ADR 0009): when a topic is deleted and created again, or
an in-memory broker (Tansu in the demo) restarts and its topics are created anew, the
new partition's offsets start at 0 again while this consumer's position is still the
old one. Kafka answers a fetch beyond the end with OFFSET_OUT_OF_RANGE and
``auto.offset.reset`` moves the consumer; Tansu answers with no records, so a plain
consumer would hear nothing until the new partition grew past the old position, and
then miss everything before it. So at most once per ``watch_interval_s`` the consumer
compares each partition's next offset with the high watermark of the latest fetch
response (librdkafka's cached value: accurate on Tansu, unlike its ListOffsets answer,
which lags by a record batch). Within one partition the high watermark never falls
below the position, so a high watermark below it means the partition started over: the
consumer re-assigns that partition from its low watermark (every record of the new
partition is new to it) and keeps the others where they are. A topic that disappears
meanwhile is counted and waited for, not fatal (:mod:`livedash.kafka.tally`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import confluent_kafka
import structlog
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from .errors import (
    BrokerUnavailableError,
    ClosedError,
    TopicsMissingError,
    translate,
)
from .message import Message
from .positions import (
    DEFAULT_FIRST_WITHIN_S,
    DEFAULT_RECENT_S,
    STARTS,
    Start,
    check_first,
    pinned_assignment,
    topic_starts,
)
from .settings import MESSAGE_MAX_BYTES, KafkaSettings
from .tally import ErrorTally, is_fatal_at_runtime

logger = structlog.get_logger(__name__)


# After the local queue was full, fetch again this soon. librdkafka's default, 1 s, let a
# session's 1 MiB queue read about one queue a second: on Tansu it stayed 4.8 s behind a
# 1 Hz stream of 130 KiB results for good (ADR 0012).
FETCH_QUEUE_BACKOFF_MS = 10

DEFAULT_QUEUED_MAX_KBYTES = 2048
DEFAULT_FETCH_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_PARTITION_FETCH_BYTES = 1024 * 1024
# Room for the Kafka response framing around the largest record batch.
_RESPONSE_OVERHEAD_BYTES = 64 * 1024
_METADATA_RETRY_S = 0.1
# A consumer's requests (fetch, metadata, list offsets) are small; librdkafka's default.
_REQUEST_MAX_BYTES = 1_000_000
# Below this a fetch returns too little per round trip to keep up with anything.
_MIN_FETCH_MAX_BYTES = 64 * 1024
# How often a consumer checks whether a partition started over (see the module docstring).
DEFAULT_WATCH_INTERVAL_S = 1.0


@dataclass(frozen=True)
class ConsumerStats:
    """How many messages a consumer returned, and the errors it skipped, by name."""

    received: int
    errors: dict[str, int]
    rewinds: int = 0  # partitions that started over and were read again from their start


def consumer_config(
    settings: KafkaSettings,
    *,
    group_id: str,
    start: Start,
    queued_max_kbytes: int,
    fetch_max_bytes: int,
    max_partition_fetch_bytes: int,
    max_message_bytes: int,
) -> dict[str, Any]:
    """The librdkafka configuration of an :class:`AssignedConsumer` (without callbacks)."""
    for name, value in (
        ("queued_max_kbytes", queued_max_kbytes),
        ("fetch_max_bytes", fetch_max_bytes),
        ("max_partition_fetch_bytes", max_partition_fetch_bytes),
        ("max_message_bytes", max_message_bytes),
    ):
        if value < 1:
            raise ValueError(f"{name} must be positive, got {value!r}")
    if start not in STARTS:
        raise ValueError(f"start must be one of {STARTS}, got {start!r}")
    if fetch_max_bytes < _MIN_FETCH_MAX_BYTES:
        raise ValueError(
            f"fetch_max_bytes must be at least {_MIN_FETCH_MAX_BYTES}, got {fetch_max_bytes!r}"
        )
    config = settings.client_config()
    config.update(
        {
            "message.max.bytes": min(fetch_max_bytes, _REQUEST_MAX_BYTES),
            "group.id": group_id,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            # Only used if a pinned offset is out of range (history deleted meanwhile).
            "auto.offset.reset": "earliest" if start == "beginning" else "latest",
            "fetch.min.bytes": 1,
            "fetch.wait.max.ms": 200,
            "queued.max.messages.kbytes": queued_max_kbytes,
            "fetch.queue.backoff.ms": FETCH_QUEUE_BACKOFF_MS,
            "fetch.max.bytes": fetch_max_bytes,
            "max.partition.fetch.bytes": max_partition_fetch_bytes,
            "receive.message.max.bytes": max(max_message_bytes, fetch_max_bytes)
            + _RESPONSE_OVERHEAD_BYTES,
        }
    )
    return config


class AssignedConsumer:
    """Reads all partitions of a fixed set of topics; returns :class:`Message` batches.

    Build it with :meth:`create`. Errors: a message-level or client-level transient
    error (broker down, one bad message) is counted in :attr:`stats`, logged once per
    kind until messages flow again, and skipped; a fatal one is raised from
    :meth:`poll_batch` as a :class:`~livedash.kafka.errors.KafkaFatalError`, and from
    then on every call raises it.

    Thread safety: one thread polls. :meth:`close` may be called from any thread; it
    waits for a running :meth:`poll_batch` to return (at most its ``timeout_s``), since
    librdkafka must not be closed under a running ``consume``. The lock that serialises
    the two guards only the librdkafka handle.
    """

    def __init__(
        self,
        *,
        client: confluent_kafka.Consumer,
        topics: Sequence[str],
        group_id: str,
        tally: ErrorTally,
        assignment: Sequence[TopicPartition] = (),
        clock: Callable[[], float] = time.monotonic,
        watch_interval_s: float = DEFAULT_WATCH_INTERVAL_S,
        first_targets: Mapping[tuple[str, int], int] | None = None,
        first_within_s: float = DEFAULT_FIRST_WITHIN_S,
        wait_for_release: bool = False,
    ) -> None:
        self._client: confluent_kafka.Consumer | None = client
        self._topics = list(topics)
        self._group_id = group_id
        self._tally = tally
        self._lock = threading.Lock()
        self._received = 0
        self._rewinds = 0
        # The next offset of each assigned partition: where it was pinned, then one past
        # the last message returned. Logical offsets (beginning) count as 0.
        self._next: dict[tuple[str, int], int] = {
            (tp.topic, tp.partition): max(tp.offset, 0) for tp in assignment
        }
        self._clock = clock
        self._watch_interval_s = watch_interval_s
        self._watched_at = clock()
        # Where the ``first`` topics' history ends, and the other partitions paused
        # until it is read (see :mod:`livedash.kafka.positions`).
        self._first_targets = dict(first_targets or {})
        self._held: list[TopicPartition] = []
        self._released = threading.Event()
        if not wait_for_release:
            self._released.set()
        self._created_at = clock()
        self._hold_until = self._created_at + first_within_s
        if self._first_behind() or wait_for_release:
            first_topics = {topic for topic, _ in self._first_targets}
            self._held = [
                TopicPartition(tp.topic, tp.partition)
                for tp in assignment
                if tp.topic not in first_topics
            ]
            if self._held:
                client.pause(self._held)

    @classmethod
    def create(
        cls,
        settings: KafkaSettings,
        *,
        topics: Sequence[str],
        group_prefix: str,
        queued_max_kbytes: int = DEFAULT_QUEUED_MAX_KBYTES,
        fetch_max_bytes: int = DEFAULT_FETCH_MAX_BYTES,
        max_partition_fetch_bytes: int = DEFAULT_MAX_PARTITION_FETCH_BYTES,
        max_message_bytes: int = MESSAGE_MAX_BYTES,
        start: Start = "end",
        start_positions: Mapping[str, Start] | None = None,
        recent_s: float = DEFAULT_RECENT_S,
        first: Sequence[str] = (),
        first_within_s: float = DEFAULT_FIRST_WITHIN_S,
        wait_for_release: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        leader_timeout_s: float = 10.0,
        watch_interval_s: float = DEFAULT_WATCH_INTERVAL_S,
        client_factory: Callable[[dict[str, Any]], Any] = confluent_kafka.Consumer,
    ) -> AssignedConsumer:
        """Connect, wait for partition leaders, and assign every partition of ``topics``.

                Each topic starts at ``start_positions[topic]`` if given, else at ``start``
        (``auto.offset.reset``, used only if a pinned offset is out of range, follows
        ``start``); ``"recent"`` reaches back ``recent_s`` seconds by ``wall``. The history
        of the ``first`` topics comes before anything else (module docstring). The whole
        startup is bounded by ``leader_timeout_s``. Raises :class:`TopicsMissingError` at
        once if a topic does not exist (as upstream consumers do),
        :class:`BrokerUnavailableError` if the broker does not answer or some partition has
        no leader in time, and :class:`KafkaFatalError` for an invalid configuration.
        ``client_factory`` builds the librdkafka consumer from its configuration; tests pass
        a fake.
        """
        if not topics:
            raise ValueError("topics must not be empty")
        if not group_prefix:
            raise ValueError(f"group_prefix must not be empty, got {group_prefix!r}")
        if leader_timeout_s <= 0:
            raise ValueError(f"leader_timeout_s must be positive, got {leader_timeout_s!r}")
        if watch_interval_s <= 0:
            raise ValueError(f"watch_interval_s must be positive, got {watch_interval_s!r}")
        if recent_s < 0:
            raise ValueError(f"recent_s must not be negative, got {recent_s!r}")
        check_first(topics, first)
        group_id = f"{group_prefix}_{uuid.uuid4()}"
        config = consumer_config(
            settings,
            group_id=group_id,
            start=start,
            queued_max_kbytes=queued_max_kbytes,
            fetch_max_bytes=fetch_max_bytes,
            max_partition_fetch_bytes=max_partition_fetch_bytes,
            max_message_bytes=max_message_bytes,
        )
        starts = topic_starts(topics, start, start_positions)
        tally = ErrorTally(client=group_id)
        config["error_cb"] = tally.on_error
        config["logger"] = logging.getLogger("librdkafka")
        try:
            client = client_factory(config)
        except KafkaException as exc:
            raise translate(exc, context="creating consumer") from exc
        try:
            deadline = clock() + leader_timeout_s
            partitions = _wait_for_leaders(
                client, list(topics), deadline=deadline, clock=clock, sleep=sleep
            )
            since_ms = int((wall() - recent_s) * 1000)
            assignment, highs = pinned_assignment(
                client, partitions, starts, deadline, clock, since_ms=since_ms, first=first
            )
            client.assign(assignment)
        except BaseException:
            client.close()
            raise
        logger.info(
            "consumer_assigned",
            group_id=group_id,
            start=start,
            start_positions=dict(start_positions or {}),
            offsets={f"{tp.topic}[{tp.partition}]": tp.offset for tp in assignment},
        )
        return cls(
            client=client,
            topics=topics,
            group_id=group_id,
            tally=tally,
            assignment=assignment,
            clock=clock,
            watch_interval_s=watch_interval_s,
            first_targets={key: high for key, high in highs.items() if key[0] in first},
            first_within_s=first_within_s,
            wait_for_release=wait_for_release,
        )

    @property
    def group_id(self) -> str:
        return self._group_id

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    @property
    def closed(self) -> bool:
        return self._client is None

    @property
    def stats(self) -> ConsumerStats:
        """Messages returned so far and the skipped errors by librdkafka error name."""
        return ConsumerStats(
            received=self._received, errors=self._tally.counts(), rewinds=self._rewinds
        )

    def poll_batch(self, max_messages: int = 100, timeout_s: float = 0.05) -> list[Message]:
        """Up to ``max_messages`` messages, waiting at most ``timeout_s`` for the first.

        Raises :class:`ClosedError` after :meth:`close`, and the first fatal error
        the client has seen (see the class docstring).
        """
        if max_messages < 1:
            raise ValueError(f"max_messages must be at least 1, got {max_messages!r}")
        with self._lock:
            client = self._client
            if client is None:
                raise ClosedError("consumer is closed")
            try:
                raw = client.consume(num_messages=max_messages, timeout=timeout_s)
            except KafkaException as exc:
                error = self._tally.record(exc.args[0], topics=self._topics)
                if is_fatal_at_runtime(error):
                    raise error from exc
                raw = []
            batch: list[Message] = []
            for item in raw:
                err = item.error()
                if err is None:
                    message = _to_message(item)
                    self._next[(message.topic, message.partition)] = message.offset + 1
                    batch.append(message)
                elif err.code() != KafkaError._PARTITION_EOF:
                    topic = item.topic()
                    self._tally.record(err, topics=[topic] if topic else self._topics)
            if self._held:
                self._release_held(client)
            if self._clock() - self._watched_at >= self._watch_interval_s:
                self._watched_at = self._clock()
                self._restart_rewound(client)
        self._tally.raise_if_fatal()
        if batch:
            self._received += len(batch)
            self._tally.recovered()
        return batch

    def _release_held(self, client: confluent_kafka.Consumer) -> None:
        """Resume the paused partitions once the ``first`` topics' history is read (or
        waited for long enough). Holds the lock."""
        waiting = self._first_behind() or not self._released.is_set()
        if waiting and self._clock() < self._hold_until:
            return
        held, self._held = self._held, []
        try:
            client.resume(held)
        except KafkaException as exc:
            self._tally.record(exc.args[0], topics=sorted({tp.topic for tp in held}))
        logger.info(
            "consumer_history_read",
            group_id=self._group_id,
            seconds=round(self._clock() - self._created_at, 3),
            timed_out=waiting,
        )

    def _first_behind(self) -> bool:
        return any(self._next.get(key, end) < end for key, end in self._first_targets.items())

    def release(self) -> None:
        """Let the held topics flow once the ``first`` topics' history is read (any
        thread; see the module docstring). Idempotent; a no-op without
        ``wait_for_release``."""
        self._released.set()

    def _restart_rewound(self, client: confluent_kafka.Consumer) -> None:
        """Re-assign partitions that started over from their low watermark (see the
        module docstring); the others stay at their next offsets. Holds the lock."""
        restarted: dict[tuple[str, int], int] = {}
        for (topic, partition), offset in self._next.items():
            try:
                low, high = client.get_watermark_offsets(
                    TopicPartition(topic, partition), cached=True
                )
            except KafkaException:
                continue  # nothing fetched yet: no cached watermarks
            if 0 <= high < offset:
                restarted[(topic, partition)] = max(low, 0)
                logger.warning(
                    "partition_started_over",
                    group_id=self._group_id,
                    topic=topic,
                    partition=partition,
                    position=offset,
                    high_watermark=high,
                    restart_at=max(low, 0),
                )
        if not restarted:
            return
        self._next.update(restarted)
        self._held = []  # a new assignment is not paused
        try:
            client.assign([TopicPartition(t, p, o) for (t, p), o in self._next.items()])
        except KafkaException as exc:
            self._tally.record(exc.args[0], topics=[t for t, _ in restarted])
            return
        self._rewinds += len(restarted)

    def close(self) -> None:
        """Leave the broker and free librdkafka's buffers. Idempotent."""
        with self._lock:
            client, self._client = self._client, None
            if client is None:
                return
            client.close()
        logger.info("consumer_closed", group_id=self._group_id, received=self._received)


def _to_message(item: confluent_kafka.Message) -> Message:
    timestamp_type, timestamp = item.timestamp()
    known = timestamp_type != confluent_kafka.TIMESTAMP_NOT_AVAILABLE
    return Message(
        topic=item.topic(),
        partition=item.partition(),
        offset=item.offset(),
        value=item.value() or b"",
        key=item.key(),
        timestamp_ms=timestamp if known else None,
    )


def _wait_for_leaders(
    client: confluent_kafka.Consumer,
    topics: list[str],
    *,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> list[TopicPartition]:
    """Every partition of ``topics`` once each has a leader.

    Lists all topics rather than asking for the named ones: a metadata request naming
    a topic makes some brokers (Tansu, Kafka with auto-create) create it.
    """
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            raise BrokerUnavailableError(f"no leader for partitions of {', '.join(topics)}")
        try:
            metadata = client.list_topics(timeout=remaining)
        except KafkaException as exc:
            raise translate(exc, topics=topics, context="fetching topic metadata") from exc
        missing = [t for t in topics if t not in metadata.topics]
        if missing:
            raise TopicsMissingError(topics=missing)
        leaderless: list[str] = []
        partitions: list[TopicPartition] = []
        for topic in topics:
            info = metadata.topics[topic]
            if info.error is not None or not info.partitions:
                leaderless.append(topic)
                continue
            for pid, partition in sorted(info.partitions.items()):
                if partition.leader < 0 or partition.error is not None:
                    leaderless.append(f"{topic}[{pid}]")
                partitions.append(TopicPartition(topic, pid))
        if not leaderless:
            return partitions
        logger.debug("waiting_for_leaders", partitions=leaderless)
        sleep(min(_METADATA_RETRY_S, max(deadline - clock(), 0.0)))
