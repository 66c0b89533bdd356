"""Creating, listing and deleting topics.

Existence is always checked by listing *all* topics: a metadata request that names a
topic makes brokers with auto-create enabled (Tansu always does) create it with default
configuration, which would defeat the check.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import structlog
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from ..protocol.topics import TopicSpec
from .errors import BrokerUnavailableError, translate
from .settings import KafkaSettings

logger = structlog.get_logger(__name__)

DEFAULT_TIMEOUT_S = 10.0
_RETRY_S = 0.1


def _ignore_client_error(_err: KafkaError) -> None:
    """Admin calls report failure through their own exceptions and futures."""


def admin_client(settings: KafkaSettings) -> AdminClient:
    """An admin client whose background errors are not printed to stderr."""
    config = settings.client_config()
    config["error_cb"] = _ignore_client_error
    config["logger"] = logging.getLogger("librdkafka")
    try:
        return AdminClient(config)
    except KafkaException as exc:
        raise translate(exc, context="creating admin client") from exc


def list_topic_names(admin: AdminClient, *, timeout_s: float) -> set[str]:
    """The names of all topics, or :class:`BrokerUnavailableError` within ``timeout_s``."""
    try:
        metadata = admin.list_topics(timeout=timeout_s)
    except KafkaException as exc:
        raise translate(exc, context="listing topics") from exc
    return set(metadata.topics)


def missing_topics(
    settings: KafkaSettings, names: Sequence[str], *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> list[str]:
    """Those of ``names`` that do not exist, in the given order."""
    existing = list_topic_names(admin_client(settings), timeout_s=timeout_s)
    return [name for name in names if name not in existing]


def ensure_topics(
    settings: KafkaSettings,
    specs: Sequence[TopicSpec],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Create the topics of ``specs`` that do not exist yet; return the names created.

    Idempotent: existing topics are left as they are (their configuration is not
    compared or changed), and a topic created concurrently by someone else counts as
    existing. Returns only once every topic is visible in the cluster metadata, so a
    consumer created next finds them. The whole call is bounded by ``timeout_s``.
    """
    deadline = clock() + timeout_s
    admin = admin_client(settings)
    existing = list_topic_names(admin, timeout_s=timeout_s)
    wanted = [spec for spec in specs if spec.name not in existing]
    created: list[str] = []
    if wanted:
        new_topics = [
            NewTopic(spec.name, num_partitions=spec.partitions, config=dict(spec.config))
            for spec in wanted
        ]
        remaining = max(deadline - clock(), 0.001)
        futures = admin.create_topics(
            new_topics, request_timeout=remaining, operation_timeout=remaining
        )
        for spec in wanted:
            try:
                futures[spec.name].result()
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise translate(exc, context=f"creating topic {spec.name}") from exc
            else:
                created.append(spec.name)
                logger.info("topic_created", topic=spec.name, partitions=spec.partitions)
    _wait_until_listed(admin, [spec.name for spec in specs], deadline, clock, sleep)
    return created


def delete_topics(
    settings: KafkaSettings, names: Sequence[str], *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> list[str]:
    """Delete the topics among ``names`` that exist; return the names deleted."""
    admin = admin_client(settings)
    existing = list_topic_names(admin, timeout_s=timeout_s)
    doomed = [name for name in names if name in existing]
    if not doomed:
        return []
    futures = admin.delete_topics(doomed, request_timeout=timeout_s, operation_timeout=timeout_s)
    deleted: list[str] = []
    for name in doomed:
        try:
            futures[name].result()
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
                raise translate(exc, context=f"deleting topic {name}") from exc
        else:
            deleted.append(name)
            logger.info("topic_deleted", topic=name)
    return deleted


def _wait_until_listed(
    admin: AdminClient,
    names: list[str],
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            raise BrokerUnavailableError(f"topics not visible in metadata in time: {names}")
        missing = [n for n in names if n not in list_topic_names(admin, timeout_s=remaining)]
        if not missing:
            return
        sleep(min(_RETRY_S, max(deadline - clock(), 0.0)))
