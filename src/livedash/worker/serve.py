"""One dashboard worker process: the Panel/Bokeh server, its endpoints and its shutdown.

:class:`DashboardWorker` wires the process together: the :class:`WorkerRuntime`
(identity, session registry, draining), the Bokeh server that runs a
:class:`~livedash.ui.app.DashboardApp` for every new session under ``{prefix}/``, the
plain HTTP endpoints of :mod:`livedash.worker.health` (added at the root, not under the
prefix), the worker heartbeat, and an executor that builds and closes session stacks
off the IOLoop.

Timeouts (docs/sessions.md explains each):

- websocket ping every ``WEBSOCKET_PING_INTERVAL_S`` (20 s), closed without a pong for
  ``WEBSOCKET_PING_TIMEOUT_S`` (20 s): a dead network connection is noticed within 40 s.
  The timeout is generous because a pong that arrives while this worker's event loop is
  busy building other sessions' pages is read late; a short timeout closes healthy tabs.
  Tornado (since 6.5) caps the timeout at the interval, so the two are equal: the
  former 10 s / 30 s was in effect 10 s / 10 s, and ten Chromium tabs opened at once
  lost most of their connections 25 s after opening them;
- a session without a websocket is discarded by Bokeh after ``connect_timeout_s``
  (``DEFAULT_CONNECT_TIMEOUT_S``, 30 s), checked every ``CHECK_UNUSED_SESSIONS_MS`` (1 s).
  This bounds how long a page may take to load its scripts and open the websocket; a
  page that had connected and lost it is reaped sooner by the liveness policy, and a
  reaped session is discarded at the next check;
- shutdown waits up to ``SHUTDOWN_TIMEOUT_S`` (15 s) for the sessions to close.

Signals: SIGTERM and SIGINT shut down cleanly (close every session, each publishing its
final ``stopped`` heartbeat; then the worker's ``stopped`` heartbeat; exit 0); SIGUSR1
toggles draining. A second SIGTERM/SIGINT during shutdown is ignored; the supervisor's
SIGKILL remains the last resort.
"""

from __future__ import annotations

import asyncio
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import panel as pn
import structlog
from panel.io.server import get_server
from tornado.ioloop import IOLoop, PeriodicCallback

from ..instruments import Instrument
from ..kafka.producer import Producer
from ..kafka.settings import KafkaSettings
from ..kafka.transport import MessageSink
from ..protocol.topics import StreamKind, topic_for
from ..session.transport import TransportFactory, kafka_transport_factory
from ..ui import bokeh_speedups
from ..ui.app import DashboardApp, DashboardSession, SessionSettings
from .health import root_handlers
from .heartbeat import WorkerHeartbeat
from .memory import TRIM_INTERVAL_S, MemoryTrimmer
from .metrics import ProcessMetrics
from .runtime import WorkerRuntime

logger = structlog.get_logger(__name__)

WEBSOCKET_PING_INTERVAL_S = 20.0
WEBSOCKET_PING_TIMEOUT_S = 20.0  # not above the interval: tornado would cap it
DEFAULT_CONNECT_TIMEOUT_S = 30.0
CHECK_UNUSED_SESSIONS_MS = 1_000
SHUTDOWN_TIMEOUT_S = 15.0
SESSION_EXECUTOR_THREADS = 8
DISCONNECT_NOTIFICATION = "Connection lost — reload the page"


@dataclass(frozen=True)
class ServeOptions:
    """Everything ``livedash serve`` is configured with (see ``worker/command.py``)."""

    instrument: Instrument
    kafka: KafkaSettings
    port: int = 5009
    address: str = "127.0.0.1"
    prefix: str = ""
    worker_index: int = 0
    websocket_origins: tuple[str, ...] = ()
    public_url: str | None = None
    num_threads: int = 0
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    session: SessionSettings = field(default_factory=SessionSettings)


def websocket_origins(options: ServeOptions) -> list[str]:
    """The ``Origin`` hosts whose pages may open a websocket to this worker.

    The given ones, the host of ``public_url``, and this worker's own address as
    ``localhost``/``127.0.0.1`` for direct access.
    """
    origins = list(options.websocket_origins)
    if options.public_url:
        netloc = urlsplit(options.public_url).netloc
        if netloc:
            origins.append(netloc)
    hosts = ["localhost", "127.0.0.1"]
    if options.address not in ("", "0.0.0.0", "::", *hosts):  # noqa: S104 - comparing, not binding
        hosts.append(options.address)
    origins.extend(f"{host}:{options.port}" for host in hosts)
    return list(dict.fromkeys(origins))


class DashboardWorker:
    """The worker process (see the module docstring). :meth:`run` blocks until stopped."""

    def __init__(
        self,
        *,
        options: ServeOptions,
        transport_factory: TransportFactory | None = None,
        heartbeat_sink: MessageSink | None = None,
    ) -> None:
        self.options = options
        self.runtime: WorkerRuntime[DashboardSession] = WorkerRuntime(
            worker_index=options.worker_index,
            port=options.port,
            prefix=options.prefix,
            public_url=options.public_url,
        )
        self.metrics = ProcessMetrics()
        self.executor = ThreadPoolExecutor(
            max_workers=SESSION_EXECUTOR_THREADS, thread_name_prefix="session-stack"
        )
        self.app = DashboardApp(
            worker=self.runtime,
            instrument=options.instrument,
            transport_factory=transport_factory or kafka_transport_factory(options.kafka),
            executor=self.executor,
            settings=options.session,
        )
        self._sink = heartbeat_sink or Producer.create(
            options.kafka,
            client_id=f"livedash-worker-{options.worker_index}-{self.runtime.worker_id[:8]}",
        )
        self.heartbeat = WorkerHeartbeat(
            runtime=self.runtime,
            sink=self._sink,
            topic=topic_for(options.instrument.name, StreamKind.STATUS),
            instrument=options.instrument.name,
            metrics=self.metrics,
        )
        self._server: Any = None
        self._shutdown_task: asyncio.Future[None] | None = None
        self._exit_code = 0

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT; the process exit code.

        Raises ``OSError`` if the port cannot be bound (after releasing the producer).
        """
        bind_worker_logging(self.runtime)
        self._configure_panel()
        try:
            server = self._build_server()
        except BaseException:
            self.executor.shutdown(wait=False)
            self._sink.close(0)
            raise
        self._server = server
        self._install_signals()
        server.start()
        self.heartbeat.start()
        trimmer = MemoryTrimmer(ended=lambda: self.runtime.registry.ended, executor=self.executor)
        PeriodicCallback(trimmer.check, TRIM_INTERVAL_S * 1000).start()
        logger.info(
            "worker_started",
            address=self.options.address,
            port=self.options.port,
            prefix=self.runtime.prefix,
            instrument=self.options.instrument.name,
            url=f"http://{self.options.address}:{self.options.port}{self.runtime.prefix}/",
        )
        IOLoop.current().start()
        logger.info("worker_stopped", exit_code=self._exit_code)
        return self._exit_code

    def _build_server(self) -> Any:
        """The Bokeh server (bound, not started) with the worker's endpoints and settings."""
        server = get_server(
            self.app.create_session,
            location=False,
            port=self.options.port,
            address=self.options.address,
            websocket_origin=websocket_origins(self.options),
            title=f"livedash · {self.options.instrument.name}",
            prefix=self.runtime.prefix,
            unused_session_lifetime_milliseconds=int(self.options.connect_timeout_s * 1000),
            check_unused_sessions_milliseconds=CHECK_UNUSED_SESSIONS_MS,
            start=False,
        )
        tornado_app = server._tornado  # Bokeh's tornado Application; no public accessor
        # Host rules added here are matched before Bokeh's own (prefixed) routes.
        tornado_app.add_handlers(r".*", root_handlers(self.runtime, self.metrics))
        # Set before any connection exists: each websocket reads them when it opens.
        tornado_app.settings["websocket_ping_interval"] = WEBSOCKET_PING_INTERVAL_S
        tornado_app.settings["websocket_ping_timeout"] = WEBSOCKET_PING_TIMEOUT_S
        return server

    def request_stop(self, reason: str) -> None:
        """Begin the clean shutdown from any thread (or a signal handler)."""
        loop = IOLoop.current().asyncio_loop
        loop.call_soon_threadsafe(self._begin_shutdown, reason)

    async def shutdown(self, reason: str) -> None:
        """Close every session, then the worker heartbeat, then stop the IOLoop."""
        if not self.runtime.begin_stopping():
            logger.info("worker_already_stopping", reason=reason)
            return
        sessions = self.runtime.registry.sessions()
        logger.info("worker_stopping", reason=reason, sessions=len(sessions))
        try:
            await self._close_sessions(sessions)
        finally:
            self.heartbeat.stop()
            self.executor.shutdown(wait=False, cancel_futures=True)
            if self._server is not None:
                self._server.stop()
            IOLoop.current().stop()

    async def _close_sessions(self, sessions: list[DashboardSession]) -> None:
        futures = []
        for session in sessions:
            session.show_shutdown_notice()
            futures.append(asyncio.wrap_future(session.close("worker_shutdown")))
        if not futures:
            return
        _done, pending = await asyncio.wait(futures, timeout=SHUTDOWN_TIMEOUT_S)
        if pending:
            self._exit_code = 1
            logger.error("sessions_not_closed", count=len(pending), timeout_s=SHUTDOWN_TIMEOUT_S)

    def _configure_panel(self) -> None:
        bokeh_speedups.install()  # ADR 0014: serializing a new page was its largest cost
        pn.config.notifications = True
        pn.config.disconnect_notification = DISCONNECT_NOTIFICATION
        if self.options.num_threads > 0:
            pn.config.nthreads = self.options.num_threads

    def _install_signals(self) -> None:
        loop = IOLoop.current().asyncio_loop
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_stop_signal, sig)
        loop.add_signal_handler(signal.SIGUSR1, self._on_drain_signal)

    def _on_stop_signal(self, sig: signal.Signals) -> None:
        self._begin_shutdown(f"signal {signal.Signals(sig).name}")

    def _begin_shutdown(self, reason: str) -> None:
        if self._shutdown_task is None:
            self._shutdown_task = asyncio.ensure_future(self.shutdown(reason))
        else:
            logger.info("worker_already_stopping", reason=reason)

    def _on_drain_signal(self) -> None:
        draining = self.runtime.toggle_draining()
        logger.info("worker_draining" if draining else "worker_undrained", signal="SIGUSR1")


def bind_worker_logging(runtime: WorkerRuntime[Any]) -> None:
    """Put ``worker_id`` and ``worker_index`` on every log line of this process.

    A processor covers structlog loggers in every thread (pump threads, executor);
    context variables cover stdlib log records of the IOLoop (Bokeh, tornado).
    """
    identity = {"worker_id": runtime.worker_id, "worker_index": runtime.worker_index}

    def add_identity(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        for key, value in identity.items():
            event_dict.setdefault(key, value)
        return event_dict

    processors = list(structlog.get_config()["processors"])
    processors.insert(0, add_identity)
    structlog.configure(processors=processors)
    structlog.contextvars.bind_contextvars(**identity)
