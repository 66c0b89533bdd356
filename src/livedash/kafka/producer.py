"""A producer that counts what it delivered, failed to deliver, or dropped.

Sending never blocks and never raises for a transient problem: a full local queue drops
the message (``dropped``, as upstream's ``KafkaSink`` does on ``BufferError``), and a
message the broker refuses or that times out is counted in ``failed`` when its delivery
report arrives. Each kind of failure is logged once until a delivery succeeds again.
Fatal errors (authentication, authorisation) are raised from the next call. A message to
a missing topic fails and is counted like a refused one: the topic may be on its way
back (a restarted broker), and the producer stays usable.

Two settings differ from librdkafka's defaults, on purpose:

- ``allow.auto.create.topics`` is off: producing to a missing topic must not create it
  with the broker's default configuration (Tansu and many dev brokers auto-create).
  Such a message fails instead.
- ``message.timeout.ms`` is ``delivery_timeout_s`` (30 s, not 5 min): a command the
  backend has not received within its 30 s acknowledgement window is worthless.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import confluent_kafka
import structlog
from confluent_kafka import KafkaError, KafkaException

from .errors import ClosedError, translate
from .settings import KafkaSettings
from .tally import ErrorTally, is_fatal_at_runtime

logger = structlog.get_logger(__name__)

DEFAULT_DELIVERY_TIMEOUT_S = 30.0
# Enough for one 100 MiB message; memory is only used while messages are queued.
DEFAULT_QUEUE_MAX_KBYTES = 128 * 1024


def producer_config(
    settings: KafkaSettings,
    *,
    client_id: str,
    delivery_timeout_s: float = DEFAULT_DELIVERY_TIMEOUT_S,
    linger_ms: int = 5,
    queue_max_kbytes: int = DEFAULT_QUEUE_MAX_KBYTES,
) -> dict[str, Any]:
    """The librdkafka configuration of a :class:`Producer` (without callbacks)."""
    if delivery_timeout_s <= 0:
        raise ValueError(f"delivery_timeout_s must be positive, got {delivery_timeout_s!r}")
    if linger_ms < 0:
        raise ValueError(f"linger_ms must not be negative, got {linger_ms!r}")
    if queue_max_kbytes < 1:
        raise ValueError(f"queue_max_kbytes must be positive, got {queue_max_kbytes!r}")
    config = settings.client_config()
    config.update(
        {
            "client.id": client_id,
            "allow.auto.create.topics": False,
            "message.timeout.ms": int(delivery_timeout_s * 1000),
            "linger.ms": linger_ms,
            "queue.buffering.max.kbytes": queue_max_kbytes,
        }
    )
    return config


class Producer:
    """Sends messages and counts their fate: ``delivered``, ``failed``, ``dropped``.

    Build it with :meth:`create`. Thread safety: any thread may call :meth:`produce`
    and :meth:`flush` (librdkafka is thread-safe); delivery reports run in the thread
    that calls ``produce``/``flush``/``poll`` and update the counters under a lock.
    :meth:`close` is idempotent; later calls raise :class:`ClosedError`.
    """

    def __init__(self, *, client: confluent_kafka.Producer, client_id: str, tally: ErrorTally):
        self._client: confluent_kafka.Producer | None = client
        self._client_id = client_id
        self._tally = tally
        self._lock = threading.Lock()
        self._delivered = 0
        self._failed = 0
        self._dropped = 0

    @classmethod
    def create(
        cls,
        settings: KafkaSettings,
        *,
        client_id: str,
        delivery_timeout_s: float = DEFAULT_DELIVERY_TIMEOUT_S,
        linger_ms: int = 5,
        queue_max_kbytes: int = DEFAULT_QUEUE_MAX_KBYTES,
    ) -> Producer:
        """A producer for ``settings``; connects lazily, so this never waits for a broker."""
        if not client_id:
            raise ValueError(f"client_id must not be empty, got {client_id!r}")
        config = producer_config(
            settings,
            client_id=client_id,
            delivery_timeout_s=delivery_timeout_s,
            linger_ms=linger_ms,
            queue_max_kbytes=queue_max_kbytes,
        )
        tally = ErrorTally(client=client_id)
        config["error_cb"] = tally.on_error
        config["logger"] = logging.getLogger("librdkafka")
        try:
            client = confluent_kafka.Producer(config)
        except KafkaException as exc:
            raise translate(exc, context="creating producer") from exc
        return cls(client=client, client_id=client_id, tally=tally)

    @property
    def delivered(self) -> int:
        with self._lock:
            return self._delivered

    @property
    def failed(self) -> int:
        with self._lock:
            return self._failed

    @property
    def dropped(self) -> int:
        with self._lock:
            return self._dropped

    @property
    def errors(self) -> dict[str, int]:
        """Errors seen so far, by librdkafka error name (delivery and client errors)."""
        return self._tally.counts()

    @property
    def closed(self) -> bool:
        return self._client is None

    def produce(self, topic: str, value: bytes, *, key: bytes | None = None) -> None:
        """Queue one message and serve pending delivery reports; never blocks."""
        client = self._usable_client()
        try:
            client.produce(topic, value=value, key=key, on_delivery=self._on_delivery)
        except BufferError:
            with self._lock:
                self._dropped += 1
            self._tally.record(
                KafkaError(KafkaError._QUEUE_FULL), topics=[topic], event="message_dropped"
            )
        except KafkaException as exc:
            error = self._tally.record(exc.args[0], topics=[topic], event="produce_failed")
            if is_fatal_at_runtime(error):
                raise error from exc
            with self._lock:
                self._failed += 1
        client.poll(0)

    def poll(self, timeout_s: float = 0.0) -> None:
        """Serve delivery reports and client errors."""
        self._usable_client().poll(timeout_s)

    def flush(self, timeout_s: float = 3.0) -> int:
        """Wait up to ``timeout_s`` for outstanding deliveries; return how many remain."""
        remaining = self._usable_client().flush(timeout_s)
        self._tally.raise_if_fatal()
        return remaining

    def close(self, timeout_s: float = 5.0) -> None:
        """Flush for up to ``timeout_s``, then discard what is left (counted as failed)."""
        with self._lock:
            client, self._client = self._client, None
        if client is None:
            return
        remaining = client.flush(timeout_s)
        if remaining:
            # Purged messages get a delivery report with _PURGE_QUEUE/_PURGE_INFLIGHT,
            # which counts them as failed.
            client.purge()
            client.flush(0)
        close = getattr(client, "close", None)  # absent in older confluent-kafka
        if close is not None:
            close()
        logger.info(
            "producer_closed",
            client=self._client_id,
            delivered=self.delivered,
            failed=self.failed,
            dropped=self.dropped,
            undelivered_at_close=remaining,
        )

    def _usable_client(self) -> confluent_kafka.Producer:
        client = self._client
        if client is None:
            raise ClosedError("producer is closed")
        self._tally.raise_if_fatal()
        return client

    def _on_delivery(self, err: KafkaError | None, msg: confluent_kafka.Message) -> None:
        if err is None:
            with self._lock:
                self._delivered += 1
            self._tally.recovered()
            return
        with self._lock:
            self._failed += 1
        topic = msg.topic()
        self._tally.record(err, topics=[topic] if topic else (), event="delivery_failed")
