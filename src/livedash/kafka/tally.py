"""Counting and logging the errors a Kafka client reports, without flooding the log.

While a broker is down librdkafka reports the same error every few hundred milliseconds.
:class:`ErrorTally` counts every report, logs each kind once until the client recovers,
and keeps the first fatal error so that the client can raise it on its next call.

A topic reported missing to a *running* client is not fatal here: after a broker
restart (an in-memory broker loses its topics) or while an operator re-creates topics,
librdkafka reports UNKNOWN_TOPIC_OR_PART until the topic is back, and then goes on by
itself. Ending every session and service at that moment would turn a short outage into
lost jobs and dead tabs. Clients still refuse to *start* without their topics
(:func:`~livedash.kafka.errors.translate` raises :class:`TopicsMissingError` there).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence

import structlog
from confluent_kafka import KafkaError

from .errors import KafkaFatalError, KafkaLayerError, TopicsMissingError, translate

logger = structlog.get_logger(__name__)


class ErrorTally:
    """Per-client error counts by librdkafka error name, plus the first fatal error.

    Thread safety: every method may be called from any thread (librdkafka callbacks run
    in whichever thread polls); one lock guards the counters, and logging happens after
    it is released.
    """

    def __init__(self, *, client: str) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._logged: set[str] = set()
        self._fatal: KafkaLayerError | None = None

    def record(
        self, err: KafkaError, *, topics: Sequence[str] = (), event: str = "kafka_error"
    ) -> KafkaLayerError:
        """Count ``err``, log it if its kind is new since the last recovery, return it.

        A fatal error is also kept: :meth:`raise_if_fatal` raises it from then on.
        """
        error = translate(err, topics=topics)
        name = err.name()
        with self._lock:
            self._counts[name] += 1
            first = name not in self._logged
            self._logged.add(name)
            fatal = is_fatal_at_runtime(error)
            if fatal and self._fatal is None:
                self._fatal = error
        if fatal:
            logger.error(event, client=self._client, code=name, reason=err.str(), fatal=True)
        elif first:
            logger.warning(event, client=self._client, code=name, reason=err.str())
        return error

    def on_error(self, err: KafkaError) -> None:
        """librdkafka ``error_cb``: client-wide errors such as an unreachable broker."""
        self.record(err)

    def recovered(self) -> None:
        """The client works again: the next error of any kind is logged again."""
        with self._lock:
            if not self._logged:
                return
            kinds = sorted(self._logged)
            self._logged.clear()
        logger.info("kafka_recovered", client=self._client, after=kinds)

    def raise_if_fatal(self) -> None:
        """Raise the first fatal error seen, if any (every time: the client is unusable)."""
        with self._lock:
            fatal = self._fatal
        if fatal is not None:
            # Drop the previous traceback so repeated raises do not grow it.
            raise fatal.with_traceback(None)

    def counts(self) -> dict[str, int]:
        """A snapshot of the error counts by librdkafka error name."""
        with self._lock:
            return dict(self._counts)


def is_fatal_at_runtime(error: KafkaLayerError) -> bool:
    """Whether ``error``, seen by a running client, makes the client unusable.

    Every :class:`KafkaFatalError` except a missing topic (see the module docstring).
    """
    return isinstance(error, KafkaFatalError) and not isinstance(error, TopicsMissingError)
