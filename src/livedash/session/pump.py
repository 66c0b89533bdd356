"""The session's one thread: poll -> peek -> decode only what is used -> route -> tick.

Routing by topic:

- data: :func:`peek_result_key` (no arrays decoded); skipped unless the data service
  :meth:`wants` it (current generation and of interest); then :func:`decode_result`
  and :meth:`add`;
- status: :func:`decode_status`; job heartbeats go to the job service, service
  heartbeats to the service registry;
- responses: :func:`decode_ack` -> pending commands (toasts for this session's own
  commands) and the command observer (job state from every client's commands);
- commands: :func:`decode_command` -> the command observer, which follows the stops and
  resets every client sends (PROTOCOL.md 12.3);
- configuration (read from the beginning, ADR 0007): the whole :class:`Message` (the
  key is the document id) -> the configuration store's ``on_message``; a record the
  store skips is counted as ``config_skipped`` here and per kind (with one log line
  per kind) by the store itself. Without a store the records are ``config_ignored``.

Bad input (PROTOCOL.md 12.4): every :class:`DecodeError` is counted per kind and logged
once per kind with topic, partition, offset and reason; any other exception while
routing a message is counted and logged once per exception type. The pump keeps going.
A fatal error from the source (a :class:`KafkaFatalError`, or anything unexpected from
``poll_batch``) ends the pump: it is logged, kept in :attr:`failure` and reported to
``on_failure``; the other sessions of the worker are not affected.

Freshness (no silent freeze): the pump remembers when it last received anything and how
old, by its Kafka timestamp, the newest live message was when it arrived (everything
but the configuration topic, which is read from its beginning, and the recent history
a session reads at its start: messages published before the pump was created). :meth:`freshness`
tells the page whether the session hears Kafka and keeps up with it: a session always
hears at least its own heartbeat on the status topic, so a long silence means Kafka is
unreachable or the pump is stuck, and a large delay means the session falls behind.

After each poll the pump runs the periodic *tickers* (pruning, timeouts, the session
heartbeat, computing plot states) every ``tick_interval_s`` (0.25 s), each guarded like a
message; after a batch that brought results some plot wants, already ``result_tick_s``
(50 ms) after the last run, so new data is drawn without waiting out the interval. When
idle it waits in ``poll_batch`` (``poll_timeout_s``, 50 ms), never in ``time.sleep``.

Concurrency: :meth:`start` and :meth:`stop` are called by the session's owner (UI
thread or close()); both are idempotent and the pump cannot be restarted. Everything
else runs on the pump thread (or on the caller's thread through :meth:`run_once` in
tests). One lock guards the counters so :meth:`stats` returns a consistent copy.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from ..kafka.errors import ClosedError
from ..kafka.message import Message
from ..kafka.transport import MessageSource
from ..protocol.acks import Acknowledgement, decode_ack
from ..protocol.commands import JobCommand, WorkflowConfig, decode_command
from ..protocol.da00 import Da00Message
from ..protocol.errors import DecodeError
from ..protocol.ids import ResultKey
from ..protocol.results import decode_result, peek_result_key
from ..protocol.status import JobStatus, ServiceStatus, decode_status
from .topics import SessionTopics

logger = structlog.get_logger(__name__)

POLL_TIMEOUT_S = 0.05
MAX_BATCH = 100
TICK_INTERVAL_S = 0.25
# After new results, the tickers (which compute the plot states) run this soon.
RESULT_TICK_S = 0.05


class ResultTarget(Protocol):
    def wants(self, key: ResultKey) -> bool: ...

    def add(self, key: ResultKey, message: Da00Message) -> bool: ...


class JobStatusTarget(Protocol):
    def on_job_status(self, status: JobStatus) -> bool: ...


class ServiceStatusTarget(Protocol):
    def on_service_status(
        self, status: ServiceStatus, *, host_name: str | None = ..., process_id: int | None = ...
    ) -> None: ...


class AckTarget(Protocol):
    def on_ack(self, ack: Acknowledgement) -> bool: ...


class CommandTarget(Protocol):
    def on_command(self, command: WorkflowConfig | JobCommand) -> bool: ...

    def on_ack(self, ack: Acknowledgement) -> bool: ...


class ConfigTarget(Protocol):
    def on_message(self, message: Message) -> bool: ...


@dataclass(frozen=True)
class Freshness:
    """How current a session's view of Kafka is (see the module docstring)."""

    silent_s: float  # since the last message arrived (since the pump started, before one)
    behind_s: float | None  # age of the newest live message on arrival; None before one


@dataclass(frozen=True)
class Ticker:
    """A periodic task of the pump, named for counting and logging its failures."""

    name: str
    run: Callable[[], object]


class MessagePump:
    """Polls one source and routes its messages (see the module docstring)."""

    def __init__(
        self,
        *,
        source: MessageSource,
        topics: SessionTopics,
        results: ResultTarget,
        jobs: JobStatusTarget,
        services: ServiceStatusTarget,
        acks: AckTarget,
        session_id: str,
        commands: CommandTarget | None = None,
        config: ConfigTarget | None = None,
        tickers: Sequence[Ticker] = (),
        on_failure: Callable[[BaseException], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        poll_timeout_s: float = POLL_TIMEOUT_S,
        max_batch: int = MAX_BATCH,
        tick_interval_s: float = TICK_INTERVAL_S,
        result_tick_s: float = RESULT_TICK_S,
    ) -> None:
        self._source = source
        self._routes: dict[str, Callable[[Message], str]] = {
            topics.data: self._route_data,
            topics.status: self._route_status,
            topics.responses: self._route_ack,
            topics.commands: self._route_command,
            topics.livedash_config: self._route_config,
        }
        self._results = results
        self._jobs = jobs
        self._services = services
        self._acks = acks
        self._commands = commands
        self._config = config
        self._tickers = tuple(tickers)
        self._on_failure = on_failure
        self._clock = clock
        self._wall = wall
        self._config_topic = topics.livedash_config
        self._heard_at = clock()
        self._behind_s: float | None = None
        self._live_since_ms = wall() * 1000.0
        self._poll_timeout_s = poll_timeout_s
        self._max_batch = max_batch
        self._tick_interval_s = tick_interval_s
        self._result_tick_s = min(result_tick_s, tick_interval_s)
        self._last_tick: float | None = None
        self._new_results = False
        self._stop_requested = threading.Event()
        # The thread runs in a copy of the creator's context, so its log lines carry the
        # structlog context (worker_id, session_id) bound where the stack was built.
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run,
            args=(self._run,),
            name=f"session-pump-{session_id[:8]}",
            daemon=True,
        )
        self._started = False
        self._lock = threading.Lock()
        self._counts: dict[str, int] = dict.fromkeys(("polls", "received", "unknown_topic"), 0)
        self._routed: dict[str, int] = {}
        self._decode_errors: dict[str, int] = {}
        self._route_errors: dict[str, int] = {}
        self._tick_errors: dict[str, int] = {}
        self._logged: set[str] = set()
        self.failure: BaseException | None = None

    @property
    def thread_name(self) -> str:
        return self._thread.name

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        """Start the pump thread (idempotent)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the thread to end and wait up to ``timeout``; True once it has ended."""
        self._stop_requested.set()
        with self._lock:
            started = self._started
        if not started or threading.current_thread() is self._thread:
            return not self._thread.is_alive()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def run_once(self) -> int:
        """Poll one batch, route it and run the due tickers; the number of messages."""
        batch = self._source.poll_batch(
            max_messages=self._max_batch, timeout_s=self._poll_timeout_s
        )
        with self._lock:
            self._counts["polls"] += 1
            self._counts["received"] += len(batch)
        if batch:
            self._note_arrival(batch)
        for message in batch:
            self._handle(message)
        now = self._clock()
        due = self._result_tick_s if self._new_results else self._tick_interval_s
        if self._last_tick is None or now - self._last_tick >= due:
            self._last_tick = now
            self._new_results = False
            self.tick()
        return len(batch)

    def freshness(self) -> Freshness:
        """Silence and delay as of now (any thread)."""
        with self._lock:
            heard_at, behind_s = self._heard_at, self._behind_s
        return Freshness(silent_s=max(0.0, self._clock() - heard_at), behind_s=behind_s)

    def _note_arrival(self, batch: Sequence[Message]) -> None:
        behind_s = None
        for message in reversed(batch):
            if (
                message.topic != self._config_topic
                and message.timestamp_ms is not None
                and message.timestamp_ms >= self._live_since_ms
            ):
                behind_s = max(0.0, self._wall() - message.timestamp_ms / 1000.0)
                break
        with self._lock:
            self._heard_at = self._clock()
            if behind_s is not None:
                self._behind_s = behind_s

    def tick(self) -> None:
        """Run every ticker now, each guarded: a failing ticker is counted and logged once."""
        for ticker in self._tickers:
            try:
                ticker.run()
            except Exception as exc:  # noqa: BLE001 - one failing task must not stop the others
                self._count(self._tick_errors, ticker.name)
                self._log_once(f"tick:{ticker.name}", "ticker_failed", exc, ticker=ticker.name)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                **self._counts,
                "routed": dict(self._routed),
                "decode_errors": dict(self._decode_errors),
                "route_errors": dict(self._route_errors),
                "tick_errors": dict(self._tick_errors),
                "running": self._thread.is_alive(),
                "failure": None if self.failure is None else repr(self.failure),
            }

    def _run(self) -> None:
        logger.info("pump_started", thread=self._thread.name)
        try:
            while not self._stop_requested.is_set():
                self.run_once()
        except ClosedError as exc:
            if not self._stop_requested.is_set():
                self._fail(exc)
        except Exception as exc:  # noqa: BLE001 - a fatal source error ends this session only
            self._fail(exc)
        logger.info("pump_stopped", thread=self._thread.name, failed=self.failure is not None)

    def _fail(self, exc: BaseException) -> None:
        self.failure = exc
        logger.error("pump_failed", thread=self._thread.name, error=repr(exc))
        if self._on_failure is not None:
            try:
                self._on_failure(exc)
            except Exception:  # the pump is ending anyway; keep the cause
                logger.exception("pump_failure_handler_failed", thread=self._thread.name)

    def _handle(self, message: Message) -> None:
        route = self._routes.get(message.topic)
        if route is None:
            with self._lock:
                self._counts["unknown_topic"] += 1
            return
        try:
            outcome = route(message)
        except DecodeError as err:
            self._count(self._decode_errors, err.kind)
            self._log_once(
                f"decode:{err.kind}",
                "message_skipped",
                None,
                kind=err.kind,
                reason=err.reason,
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            )
            return
        except Exception as exc:  # noqa: BLE001 - one bad message must not end the session
            name = type(exc).__name__
            self._count(self._route_errors, name)
            self._log_once(
                f"route:{name}",
                "message_routing_failed",
                exc,
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            )
            return
        self._count(self._routed, outcome)

    def _route_data(self, record: Message) -> str:
        key = peek_result_key(record.value)
        if not self._results.wants(key):
            return "data_skipped"
        _, message = decode_result(record.value)
        self._results.add(key, message)
        self._new_results = True
        return "data"

    def _route_status(self, record: Message) -> str:
        decoded = decode_status(record.value)
        status = decoded.status
        if isinstance(status, JobStatus):
            self._jobs.on_job_status(status)
            return "job_status"
        self._services.on_service_status(
            status,
            host_name=decoded.envelope.host_name,
            process_id=decoded.envelope.process_id,
        )
        return "service_status"

    def _route_ack(self, record: Message) -> str:
        ack = decode_ack(record.value)
        try:
            self._acks.on_ack(ack)
        finally:
            # Job state must follow the backend even if the toast bookkeeping failed.
            if self._commands is not None:
                self._commands.on_ack(ack)
        return "ack"

    def _route_command(self, record: Message) -> str:
        command = decode_command(record.value)
        if self._commands is not None:
            self._commands.on_command(command)
        return "command"

    def _route_config(self, record: Message) -> str:
        # The store decodes, validates, counts per kind and logs what it skips itself.
        if self._config is None:
            return "config_ignored"
        return "config" if self._config.on_message(record) else "config_skipped"

    def _count(self, counter: dict[str, int], key: str) -> None:
        with self._lock:
            counter[key] = counter.get(key, 0) + 1

    def _log_once(self, token: str, event: str, exc: BaseException | None, **context: Any) -> None:
        with self._lock:
            if token in self._logged:
                return
            self._logged.add(token)
        if exc is None:
            logger.warning(event, **context)
        else:
            logger.warning(event, error=repr(exc), exc_info=exc, **context)
