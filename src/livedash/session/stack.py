"""The composition root of one browser session's service stack.

:class:`SessionStack` builds, in one straight-line constructor, everything a session
owns: its transport (own consumer and producer), the job service, service registry,
pending commands, notification queue, data service, command observer, configuration
store, job orchestrator, plot orchestrator, layout follower, session heartbeat and the
message pump that drives them. Nothing is shared with other sessions; what sessions
share (plot layouts, last-used workflow params) they share through the configuration
topic, which every session's :class:`~livedash.store.ConfigStore` reads from the
beginning (ADR 0007).

Pump tickers, in order: prune jobs; follow job generations in the data cache; seed the
layout from the instrument's grid templates if the caught-up store has none; sync the
plot orchestrator when the layout changed; compute plot states (``plots.tick()``); stop
superseded own jobs; expire commands; prune services; heartbeat. Plot states are
therefore always computed on the pump thread, never on the UI thread, which only pulls
finished :class:`~livedash.plots.views.LayerView` objects (``plots.changed_since``).

Interest: the plot orchestrator alone sets the data cache's interest, to exactly the
keys of the layout's layers (on every layout sync), so the pump decodes only the
results some plot shows; nothing else may call ``data.interest``. Workflow control
needs no interest: it reads job heartbeats, acknowledgements and commands, never
results.

Lifecycle (:class:`~livedash.session.lifecycle.StackState`): CREATED after construction,
RUNNING after :meth:`start`, FAILED if the pump ended on a fatal error (the UI should then
close the session), CLOSED after :meth:`close`. ``close()`` is idempotent and tears down
in order: stop the pump, refuse further commands, publish the final ``stopped``
heartbeat, flush and close the producer, close the consumer; each step runs even if an
earlier one failed. After close, every public operation of the stack (and every command
of its orchestrator) raises :class:`SessionClosedError`.

Concurrency: the UI thread constructs, starts, reads and closes; the pump thread runs
the routing and the tickers; ``close()`` may come from any thread (a session-destroyed
hook), and a second concurrent ``close()`` waits for the first to finish.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import structlog

from ..instruments import Instrument
from ..plots.orchestrator import PlotOrchestrator
from ..plots.plotters import PlotterRegistry
from ..protocol.ids import WorkflowId
from ..store.config_store import ConfigStore
from .command_observer import CommandObserver
from .data_service import DataService
from .heartbeat import SessionHeartbeat
from .job_orchestrator import JobOrchestrator
from .job_service import JobService
from .layout import LayoutFollower
from .lifecycle import Lifecycle, StackState
from .notifications import NotificationQueue
from .pending_commands import PendingCommands
from .pump import Freshness, MessagePump, Ticker
from .service_registry import ServiceRegistry
from .topics import SessionTopics
from .transport import TransportFactory

logger = structlog.get_logger(__name__)

CLOSE_TIMEOUT_S = 2.0

T = TypeVar("T")


def _uuid_text(value: str, what: str) -> str:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"{what} must be a UUID string, got {value!r}") from None
    return value


def series_outputs(instrument: Instrument) -> set[tuple[WorkflowId, str]]:
    """The (workflow id, output name) pairs whose results are appended, not replaced."""
    return {
        (spec.id, name)
        for spec in instrument.workflows.values()
        for name, output in spec.outputs.items()
        if output.temporality == "series"
    }


class SessionStack:
    """One session's services, wired once and torn down once (see the module docstring)."""

    def __init__(
        self,
        *,
        transport_factory: TransportFactory,
        instrument: Instrument,
        worker_id: str,
        session_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_ns: Callable[[], int] = time.time_ns,
        host_name: str | None = None,
        process_id: int | None = None,
        plotters: PlotterRegistry | None = None,
    ) -> None:
        """``plotters`` defaults to every plotter with the instrument's dim titles."""
        self.session_id = _uuid_text(session_id or str(uuid.uuid4()), "session_id")
        self.worker_id = _uuid_text(worker_id, "worker_id")
        self.instrument = instrument
        self.topics = SessionTopics.for_instrument(instrument.name)
        self._lifecycle = Lifecycle()
        self._close_lock = threading.Lock()
        self._failure: BaseException | None = None
        transport = transport_factory(topics=self.topics, session_id=self.session_id)
        self._source, self._sink = transport.source, transport.sink
        try:
            self._notifications = NotificationQueue()
            self._jobs = JobService(workflows=instrument.workflows, clock=clock, wall_ns=wall_ns)
            self._services = ServiceRegistry(clock=clock)
            self._pending = PendingCommands(notifications=self._notifications, clock=clock)
            self._data = DataService(
                generations=self._jobs, series_outputs=series_outputs(instrument), clock=clock
            )
            self._observer = CommandObserver(jobs=self._jobs, results=self._data, clock=clock)
            self._store = ConfigStore(
                sink=self._sink,
                topic=self.topics.livedash_config,
                writer_id=self.session_id,
                clock=wall_ns,
            )
            self._orchestrator = JobOrchestrator(
                instrument=instrument,
                job_service=self._jobs,
                pending=self._pending,
                sink=self._sink,
                commands_topic=self.topics.commands,
                on_sent=self._observer.note_sent,
                params_store=self._store,
            )
            self._plots = PlotOrchestrator(
                jobs=self._jobs,
                data=self._data,
                plotters=plotters or PlotterRegistry(dim_titles=instrument.dim_titles),
                clock=clock,
            )
            self._heartbeat = SessionHeartbeat(
                sink=self._sink,
                topic=self.topics.status,
                instrument=instrument.name,
                session_id=self.session_id,
                worker_id=self.worker_id,
                running_workflows=self._jobs.running_workflow_count,
                clock=clock,
                wall_ns=wall_ns,
                host_name=host_name,
                process_id=process_id,
            )
            self._layout = LayoutFollower(
                store=self._store,
                instrument=instrument,
                plots=self._plots,
                on_layers=self._on_layers,
            )
            self._pump = MessagePump(
                source=self._source,
                topics=self.topics,
                results=self._data,
                jobs=self._jobs,
                services=self._services,
                acks=self._pending,
                commands=self._observer,
                config=self._store,
                session_id=self.session_id,
                tickers=[
                    Ticker("prune_jobs", self._jobs.prune),
                    Ticker("sync_generations", self._data.sync_generations),
                    Ticker("seed_layout", self._layout.seed),
                    Ticker("sync_layout", self._layout.follow),
                    Ticker("plots", self._plots.tick),
                    Ticker("stop_superseded", self._orchestrator.stop_superseded),
                    Ticker("expire_commands", self._pending.expire),
                    Ticker("expire_observed_commands", self._observer.expire),
                    Ticker("prune_services", self._services.prune),
                    Ticker("heartbeat", self._heartbeat.maybe_publish),
                ],
                on_failure=self._on_pump_failure,
                clock=clock,
                wall=lambda: wall_ns() / 1e9,
            )
            # The layout appears (and may be seeded) once this marker comes back.
            self._store.request_sync()
        except BaseException:
            self._close_transport()
            raise

    @property
    def state(self) -> StackState:
        return self._lifecycle.state

    @property
    def failure(self) -> BaseException | None:
        """The fatal error that ended the pump, if any."""
        return self._failure

    @property
    def jobs(self) -> JobService:
        return self._open(self._jobs)

    @property
    def services(self) -> ServiceRegistry:
        return self._open(self._services)

    @property
    def data(self) -> DataService:
        return self._open(self._data)

    @property
    def orchestrator(self) -> JobOrchestrator:
        return self._open(self._orchestrator)

    @property
    def store(self) -> ConfigStore:
        """The shared configuration (layouts, last-used params) as this session reads it."""
        return self._open(self._store)

    @property
    def plots(self) -> PlotOrchestrator:
        """Every layer's state and plot, computed on the pump thread; pull by version."""
        return self._open(self._plots)

    @property
    def notifications(self) -> NotificationQueue:
        return self._open(self._notifications)

    @property
    def heartbeat(self) -> SessionHeartbeat:
        return self._open(self._heartbeat)

    @property
    def pump(self) -> MessagePump:
        return self._open(self._pump)

    def start(self) -> None:
        """Start the pump (CREATED -> RUNNING); a no-op when already running."""
        with self._close_lock:
            if self._lifecycle.state in (StackState.RUNNING, StackState.FAILED):
                return
            self._lifecycle.transition(StackState.RUNNING)
            self._pump.start()
        logger.info("session_started", session_id=self.session_id, thread=self._pump.thread_name)

    def freshness(self) -> Freshness:
        """How current the session's view of Kafka is (:meth:`MessagePump.freshness`)."""
        return self._pump.freshness()

    def stats(self) -> dict[str, Any]:
        """Counters of every service, for the status page and benchmarks."""
        self._lifecycle.require_open()
        return {
            "state": self.state.value,
            "pump": self._pump.stats(),
            "data": self._data.stats(),
            "jobs": self._jobs.stats(),
            "pending": self._pending.stats(),
            "commands": self._observer.stats(),
            "notifications": self._notifications.stats(),
            "store": self._store.stats(),
            "layout": self._layout.stats(),
            "plots": self._plots.stats(),
            "heartbeats_sent": self._heartbeat.sent,
        }

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Tear the session down (idempotent; see the module docstring)."""
        with self._close_lock:
            if not self._lifecycle.close():
                return
            if not self._pump.stop(timeout_s):
                logger.warning("pump_did_not_stop", session_id=self.session_id, timeout_s=timeout_s)
            self._step("close_orchestrator", self._orchestrator.close)
            self._step("final_heartbeat", self._heartbeat.publish_stopped)
            self._close_transport(timeout_s)
        logger.info("session_closed", session_id=self.session_id)

    def __enter__(self) -> SessionStack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _open(self, service: T) -> T:
        self._lifecycle.require_open()
        return service

    def _on_layers(self, layers: int) -> None:
        """The layout was applied: the heartbeat tells how many plots this session shows,
        and the source may now deliver the results it held back (ADR 0012): the data
        cache knows which ones this session wants."""
        self._heartbeat.set_plots_shown(layers)
        self._source.release()

    def _on_pump_failure(self, exc: BaseException) -> None:
        self._failure = exc
        self._lifecycle.fail()

    def _close_transport(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        self._step("flush_producer", lambda: self._sink.flush(timeout_s))
        self._step("close_producer", lambda: self._sink.close(timeout_s))
        self._step("close_consumer", self._source.close)

    def _step(self, name: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:  # teardown continues; every step must get its turn
            logger.exception("session_close_step_failed", step=name, session_id=self.session_id)
