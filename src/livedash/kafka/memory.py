"""An in-memory stand-in for a Kafka cluster, for tests that need no broker.

:class:`InMemoryBroker` keeps every topic as lists of :class:`Message` per partition.
Its consumers and producers have the interface of
:class:`~livedash.kafka.consumer.AssignedConsumer` and
:class:`~livedash.kafka.producer.Producer` (see :mod:`livedash.kafka.transport`) and
follow the same rules: a consumer needs its topics to exist and, started at ``"end"``,
sees only messages produced after it was created; producing to a missing topic fails
(counted, not raised); use after ``close()`` raises :class:`ClosedError`.

Differences from the real thing: delivery is immediate (``flush`` always returns 0),
there is no size limit, and setting :attr:`InMemoryBroker.available` to ``False``
simulates an outage (deliveries fail, consumers receive nothing).
"""

from __future__ import annotations

import itertools
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence

import structlog

from ..protocol.topics import TopicSpec
from .consumer import DEFAULT_FIRST_WITHIN_S, ConsumerStats
from .errors import ClosedError, TopicsMissingError
from .message import Message
from .positions import DEFAULT_RECENT_S, STARTS, Start, check_first, topic_starts

logger = structlog.get_logger(__name__)


def _start_index(messages: Sequence[Message], start: Start, since_ms: int) -> int:
    """Where a consumer starts in one partition's ``messages`` (see ``consumer``)."""
    if start == "beginning":
        return 0
    if start == "recent":
        return next(
            (
                i
                for i, m in enumerate(messages)
                if m.timestamp_ms is not None and m.timestamp_ms >= since_ms
            ),
            len(messages),
        )
    return len(messages)


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class InMemoryBroker:
    """Topics and their messages, shared by the consumers and producers it hands out.

    Thread safety: all state is guarded by one condition variable, which producers
    notify so that waiting consumers wake up.
    """

    def __init__(
        self,
        *,
        topics: Iterable[str | TopicSpec] = (),
        clock_ms: Callable[[], int] = _wall_clock_ms,
    ) -> None:
        self._cond = threading.Condition()
        self._partitions: dict[str, list[list[Message]]] = {}
        self._log: dict[str, list[Message]] = {}
        self._round_robin = itertools.count()
        self._clock_ms = clock_ms
        self.available = True
        for topic in topics:
            spec = topic if isinstance(topic, TopicSpec) else TopicSpec(topic)
            self.create_topic(spec.name, partitions=spec.partitions)

    def create_topic(self, name: str, *, partitions: int = 1) -> bool:
        """Create ``name`` unless it exists; return whether it was created."""
        if partitions < 1:
            raise ValueError(f"partitions must be at least 1, got {partitions!r}")
        with self._cond:
            if name in self._partitions:
                return False
            self._partitions[name] = [[] for _ in range(partitions)]
            self._log[name] = []
            return True

    def ensure_topics(self, specs: Sequence[TopicSpec]) -> list[str]:
        """Like :func:`livedash.kafka.admin.ensure_topics`: the names created."""
        return [s.name for s in specs if self.create_topic(s.name, partitions=s.partitions)]

    def topics(self) -> list[str]:
        with self._cond:
            return sorted(self._partitions)

    def messages(self, topic: str) -> list[Message]:
        """Every message of ``topic`` in the order it was produced."""
        with self._cond:
            if topic not in self._log:
                raise TopicsMissingError(topics=[topic])
            return list(self._log[topic])

    def consumer(
        self,
        topics: Sequence[str],
        *,
        start: Start = "end",
        start_positions: Mapping[str, Start] | None = None,
        recent_s: float = DEFAULT_RECENT_S,
        first: Sequence[str] = (),
        wait_for_release: bool = False,
        first_within_s: float = DEFAULT_FIRST_WITHIN_S,
    ) -> InMemoryConsumer:
        """A consumer of all partitions of ``topics`` (:class:`TopicsMissingError` if any
        is missing), starting after the last message (``"end"``), at the first, or at the
        first of the last ``recent_s`` seconds (``"recent"``); ``start_positions``
        overrides ``start`` per topic, as in
        :meth:`AssignedConsumer.create <livedash.kafka.consumer.AssignedConsumer.create>`.
        The ``first`` topics are read before the others whenever both have messages (a
        stronger form of the real consumer's guarantee); with ``wait_for_release`` the
        others are not read at all until :meth:`InMemoryConsumer.release` or
        ``first_within_s``."""
        if start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, got {start!r}")
        if not topics:
            raise ValueError("topics must not be empty")
        starts = topic_starts(topics, start, start_positions)
        check_first(topics, first)
        topics = [*first, *(t for t in topics if t not in first)]
        with self._cond:
            missing = [t for t in topics if t not in self._partitions]
            if missing:
                raise TopicsMissingError(topics=missing)
            recent = "recent" in starts.values()
            since_ms = self._clock_ms() - int(recent_s * 1000) if recent else 0
            positions = {
                (topic, pid): _start_index(messages, starts[topic], since_ms)
                for topic in topics
                for pid, messages in enumerate(self._partitions[topic])
            }
        held = set() if not wait_for_release else {k for k in positions if k[0] not in first}
        return InMemoryConsumer(broker=self, positions=positions, held=held, hold_s=first_within_s)

    def producer(self, *, client_id: str = "memory") -> InMemoryProducer:
        return InMemoryProducer(broker=self, client_id=client_id)

    def _append(self, topic: str, value: bytes, key: bytes | None) -> Message | None:
        with self._cond:
            partitions = self._partitions.get(topic)
            if partitions is None or not self.available:
                return None
            if key is None:
                pid = next(self._round_robin) % len(partitions)
            else:
                pid = zlib.crc32(key) % len(partitions)
            message = Message(
                topic=topic,
                partition=pid,
                offset=len(partitions[pid]),
                value=bytes(value),
                key=key,
                timestamp_ms=self._clock_ms(),
            )
            partitions[pid].append(message)
            self._log[topic].append(message)
            self._cond.notify_all()
            return message

    def _read(
        self,
        positions: dict[tuple[str, int], int],
        max_messages: int,
        timeout_s: float,
        is_closed: Callable[[], bool],
    ) -> list[Message]:
        def pending() -> bool:
            return self.available and any(
                self._partitions[topic][pid][offset:] for (topic, pid), offset in positions.items()
            )

        with self._cond:
            self._cond.wait_for(lambda: is_closed() or pending(), timeout=timeout_s)
            if is_closed() or not self.available:
                return []
            batch: list[Message] = []
            for (topic, pid), offset in positions.items():
                taken = self._partitions[topic][pid][offset : offset + max_messages - len(batch)]
                batch.extend(taken)
                positions[(topic, pid)] = offset + len(taken)
                if len(batch) >= max_messages:
                    break
            return batch

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


class InMemoryConsumer:
    """The in-memory counterpart of :class:`~livedash.kafka.consumer.AssignedConsumer`.

    One thread polls; :meth:`close` may be called from any thread and wakes a waiting
    :meth:`poll_batch`, which then returns an empty batch.
    """

    def __init__(
        self,
        *,
        broker: InMemoryBroker,
        positions: dict[tuple[str, int], int],
        held: set[tuple[str, int]] | None = None,
        hold_s: float = DEFAULT_FIRST_WITHIN_S,
    ):
        self._broker = broker
        self._positions = positions
        self._held = {key: positions.pop(key) for key in sorted(held or ())}
        self._hold_until = time.monotonic() + hold_s
        self._closed = False
        self._received = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def stats(self) -> ConsumerStats:
        return ConsumerStats(received=self._received, errors={})

    def poll_batch(self, max_messages: int = 100, timeout_s: float = 0.05) -> list[Message]:
        if max_messages < 1:
            raise ValueError(f"max_messages must be at least 1, got {max_messages!r}")
        if self._closed:
            raise ClosedError("consumer is closed")
        if self._held and time.monotonic() >= self._hold_until:
            self.release()
        batch = self._broker._read(self._positions, max_messages, timeout_s, lambda: self._closed)
        self._received += len(batch)
        return batch

    def release(self) -> None:
        """Let the held topics be read (see ``InMemoryBroker.consumer``)."""
        held, self._held = self._held, {}
        self._positions.update(held)

    def close(self) -> None:
        self._closed = True
        self._broker._wake()


class InMemoryProducer:
    """The in-memory counterpart of :class:`~livedash.kafka.producer.Producer`.

    Delivery is immediate: ``delivered`` or ``failed`` (missing topic, broker
    unavailable) is updated before :meth:`produce` returns.
    """

    def __init__(self, *, broker: InMemoryBroker, client_id: str) -> None:
        self._broker = broker
        self._client_id = client_id
        self._lock = threading.Lock()
        self._closed = False
        self.delivered = 0
        self.failed = 0
        self.dropped = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def errors(self) -> dict[str, int]:
        return {"_MSG_TIMED_OUT": self.failed} if self.failed else {}

    def produce(self, topic: str, value: bytes, *, key: bytes | None = None) -> None:
        if self._closed:
            raise ClosedError("producer is closed")
        message = self._broker._append(topic, value, key)
        with self._lock:
            if message is None:
                self.failed += 1
            else:
                self.delivered += 1
        if message is None:
            logger.warning("delivery_failed", client=self._client_id, topic=topic)

    def poll(self, timeout_s: float = 0.0) -> None:
        if self._closed:
            raise ClosedError("producer is closed")

    def flush(self, timeout_s: float = 3.0) -> int:
        if self._closed:
            raise ClosedError("producer is closed")
        return 0

    def close(self, timeout_s: float = 5.0) -> None:
        self._closed = True
