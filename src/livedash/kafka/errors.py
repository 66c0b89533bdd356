"""The exceptions of the Kafka layer, and the one place that classifies librdkafka errors.

Nothing outside :mod:`livedash.kafka` sees a ``confluent_kafka`` exception: clients call
:func:`translate` at the boundary. The hierarchy says what the caller should do:

- :class:`KafkaFatalError`: the client cannot work (bad credentials, no authorisation,
  invalid configuration, missing topics, an error librdkafka flags as fatal). Fail
  loudly; the owner of the client (a session, a service) ends and is restarted.
  Missing topics are fatal when a client starts (:class:`TopicsMissingError`); a topic
  that disappears under a running client is counted and waited for instead, since a
  broker restart or an operator re-creating topics brings it back
  (:class:`~livedash.kafka.tally.ErrorTally`).
- :class:`KafkaTransientError`: the client stays usable. The broker may be unreachable
  for now (:class:`BrokerUnavailableError`, librdkafka reconnects by itself), or one
  message was refused (:class:`MessageRejectedError`). Skip, count, log once.
- :class:`ClosedError`: the client was used after ``close()``, a programming error.
"""

from __future__ import annotations

from collections.abc import Sequence

from confluent_kafka import KafkaError, KafkaException

# Authentication, authorisation and configuration problems do not heal by retrying:
# retrying would only spam the broker while the operator sees nothing.
_FATAL_CODES = frozenset(
    {
        KafkaError._AUTHENTICATION,
        KafkaError._SSL,
        KafkaError._INVALID_ARG,
        KafkaError._UNSUPPORTED_FEATURE,
        KafkaError._FATAL,
        KafkaError.SASL_AUTHENTICATION_FAILED,
        KafkaError.ILLEGAL_SASL_STATE,
        KafkaError.UNSUPPORTED_SASL_MECHANISM,
        KafkaError.TOPIC_AUTHORIZATION_FAILED,
        KafkaError.GROUP_AUTHORIZATION_FAILED,
        KafkaError.CLUSTER_AUTHORIZATION_FAILED,
        KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        KafkaError.INVALID_CONFIG,
    }
)

# Upstream consumers refuse to start without their topics (PROTOCOL.md 1.3); a topic
# deleted under a running client is the same condition.
_MISSING_TOPIC_CODES = frozenset(
    {
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError._UNKNOWN_TOPIC,
        KafkaError._UNKNOWN_PARTITION,
    }
)

# The broker cannot be reached or has no leader right now; librdkafka keeps retrying.
_UNAVAILABLE_CODES = frozenset(
    {
        KafkaError._ALL_BROKERS_DOWN,
        KafkaError._TRANSPORT,
        KafkaError._TIMED_OUT,
        KafkaError._MSG_TIMED_OUT,
        KafkaError._RESOLVE,
        KafkaError._FAIL,
        KafkaError._WAIT_COORD,
        KafkaError.NETWORK_EXCEPTION,
        KafkaError.REQUEST_TIMED_OUT,
        KafkaError.BROKER_NOT_AVAILABLE,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError.NOT_LEADER_FOR_PARTITION,
        KafkaError.COORDINATOR_NOT_AVAILABLE,
    }
)

# One message was refused; the next one may well be fine.
_REJECTED_CODES = frozenset(
    {
        KafkaError.MSG_SIZE_TOO_LARGE,
        KafkaError.INVALID_MSG,
        KafkaError.INVALID_MSG_SIZE,
        KafkaError.INVALID_RECORD,
        KafkaError.RECORD_LIST_TOO_LARGE,
        KafkaError._BAD_MSG,
        KafkaError._QUEUE_FULL,
        KafkaError._PURGE_QUEUE,
        KafkaError._PURGE_INFLIGHT,
    }
)


class KafkaLayerError(Exception):
    """Base of every error raised by :mod:`livedash.kafka`.

    ``code`` and ``name`` are librdkafka's error code and its symbolic name (for
    example ``-195`` and ``"_TRANSPORT"``) when the error came from librdkafka.
    """

    def __init__(self, message: str, *, code: int | None = None, name: str | None = None):
        super().__init__(message)
        self.code = code
        self.name = name


class KafkaFatalError(KafkaLayerError):
    """The client cannot work; its owner should end and be restarted."""


class TopicsMissingError(KafkaFatalError):
    """Topics the client needs do not exist. ``topics`` lists them when known."""

    def __init__(
        self,
        message: str | None = None,
        *,
        topics: Sequence[str] = (),
        code: int | None = None,
        name: str | None = None,
    ):
        self.topics = list(topics)
        if message is None:
            message = f"topics not found: {', '.join(self.topics) or '(unknown)'}"
        super().__init__(message, code=code, name=name)


class KafkaTransientError(KafkaLayerError):
    """The operation failed but the client stays usable."""


class BrokerUnavailableError(KafkaTransientError):
    """The broker could not be reached (or has no leader) within the time allowed."""


class MessageRejectedError(KafkaTransientError):
    """One message was refused (too large, invalid, purged); others are unaffected."""


class ClosedError(KafkaLayerError):
    """A client was used after ``close()``."""


def classify(err: KafkaError) -> type[KafkaLayerError]:
    """The exception type for a librdkafka error: the one fatal-versus-transient rule.

    An error librdkafka flags as fatal is always fatal. Unknown codes are transient,
    as upstream does: log, skip and keep going.
    """
    code = err.code()
    if err.fatal() or code in _FATAL_CODES:
        return KafkaFatalError
    if code in _MISSING_TOPIC_CODES:
        return TopicsMissingError
    if code in _UNAVAILABLE_CODES:
        return BrokerUnavailableError
    if code in _REJECTED_CODES:
        return MessageRejectedError
    return KafkaTransientError


def is_fatal(err: KafkaError) -> bool:
    """Whether ``err`` must end the client's owner (see :func:`classify`)."""
    return issubclass(classify(err), KafkaFatalError)


def translate(
    err: KafkaError | KafkaException, *, topics: Sequence[str] = (), context: str = ""
) -> KafkaLayerError:
    """The livedash exception for a librdkafka error, ready to ``raise ... from``.

    ``topics`` is attached to a :class:`TopicsMissingError`; ``context`` (for example
    ``"fetching metadata"``) is prefixed to the message.
    """
    if isinstance(err, KafkaException):
        inner = err.args[0] if err.args else None
        if not isinstance(inner, KafkaError):
            return KafkaTransientError(f"{context}: {err}" if context else str(err))
        err = inner
    kind = classify(err)
    message = f"{err.str()} ({err.name()})"
    if context:
        message = f"{context}: {message}"
    if kind is TopicsMissingError:
        return TopicsMissingError(
            f"{message}; topics: {', '.join(topics)}" if topics else message,
            topics=topics,
            code=err.code(),
            name=err.name(),
        )
    return kind(message, code=err.code(), name=err.name())
