"""The narrow interfaces the rest of livedash uses to read and write messages.

:class:`~livedash.kafka.consumer.AssignedConsumer` and
:class:`~livedash.kafka.producer.Producer` satisfy them against a real broker, and the
consumers and producers of :class:`~livedash.kafka.memory.InMemoryBroker` in memory.
Code above the Kafka layer should ask for these, not for the concrete classes.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .message import Message


@runtime_checkable
class MessageSource(Protocol):
    """Where a session or service reads messages from."""

    @property
    def closed(self) -> bool: ...

    def poll_batch(self, max_messages: int = 100, timeout_s: float = 0.05) -> list[Message]:
        """Up to ``max_messages`` messages, waiting at most ``timeout_s`` for the first."""
        ...

    def release(self) -> None:
        """Let topics held back at creation flow (``wait_for_release``); idempotent."""
        ...

    def close(self) -> None:
        """Release the source; idempotent. Later polls raise ``ClosedError``."""
        ...


@runtime_checkable
class MessageSink(Protocol):
    """Where a session or service sends messages to."""

    @property
    def closed(self) -> bool: ...

    def produce(self, topic: str, value: bytes, *, key: bytes | None = None) -> None:
        """Queue one message; never blocks; failures are counted, not raised."""
        ...

    def flush(self, timeout_s: float = 3.0) -> int:
        """Wait up to ``timeout_s`` for queued messages; return how many remain."""
        ...

    def close(self, timeout_s: float = 5.0) -> None:
        """Flush, then release the sink; idempotent."""
        ...
