"""What the worker hands to Panel: the per-session composition.

:class:`DashboardApp` holds what every session of a worker shares (the worker's identity
and registry, the instrument, the Kafka transport factory, the executor, the settings) and
:meth:`DashboardApp.create_session`, which Panel calls on the IOLoop for every new Bokeh
session: it creates a :class:`~livedash.ui.dashboard_session.DashboardSession` (the
session's stack, page and close path) and returns its page. :func:`default_views` is the
composition of the session's tabs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Protocol

import panel as pn

from ..instruments import Instrument
from ..session.stack import SessionStack
from ..session.transport import TransportFactory
from .dashboard_session import (
    DashboardSession,
    PageDocument,
    SessionSettings,
    SessionView,
    SessionViews,
    ViewContext,
    ViewsFactory,
    WorkerContext,
)
from .document import SessionDocument

__all__ = [
    "DashboardApp",
    "DashboardSession",
    "SessionSettings",
    "SessionView",
    "SessionViews",
    "ViewContext",
    "ViewsFactory",
    "default_views",
]


class AppWorker(WorkerContext, Protocol):
    """What the app needs of its worker: the session's needs plus the worker id."""

    worker_id: str


def default_views(ctx: ViewContext) -> SessionViews:
    """The Plots, Workflows and System Status tabs, and the toasts of this session's commands.

    The Workflows tab (a card and a parameter form per workflow) is built when it is first
    shown (:class:`~livedash.ui.lazy.LazyView`): the page opens on the Plots tab.
    """
    # Imported here so that importing this module stays cheap for the worker's tests.
    from .lazy import LazyView  # noqa: PLC0415
    from .notifications import NotificationPresenter, panel_toast  # noqa: PLC0415
    from .plots import PlotsView  # noqa: PLC0415
    from .system_status import SystemStatusView  # noqa: PLC0415
    from .workflows import WorkflowControlView  # noqa: PLC0415

    stack = ctx.stack
    workflows = LazyView(
        lambda: WorkflowControlView(
            instrument=stack.instrument,
            jobs=stack.jobs,
            orchestrator=stack.orchestrator,
            clock=ctx.clock,
        ),
        sizing_mode="stretch_width",
    )
    status = SystemStatusView(
        services=stack.services,
        clock=ctx.clock,
        this_session_id=stack.session_id,
        this_worker_id=stack.worker_id,
    )
    plots = PlotsView(
        plots=stack.plots,
        store=stack.store,
        instrument=stack.instrument,
        jobs=stack.jobs,
        clock=ctx.clock,
    )
    toasts = NotificationPresenter(queue=stack.notifications, notify=panel_toast)
    tabs = [
        ("Plots", plots.panel),
        ("Workflows", workflows.panel),
        ("System Status", status.panel),
    ]
    return SessionViews(tabs=tabs, views=[plots, workflows, status, toasts])


class DashboardApp:
    """Panel's per-session entry point; one instance per worker process."""

    def __init__(
        self,
        *,
        worker: AppWorker,
        instrument: Instrument,
        transport_factory: TransportFactory,
        executor: Executor,
        settings: SessionSettings | None = None,
        views_factory: ViewsFactory = default_views,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.worker = worker
        self.instrument = instrument
        self.transport_factory = transport_factory
        self.executor = executor
        self.settings = settings or SessionSettings()
        self.views_factory = views_factory
        self.clock = clock

    def create_session(self) -> pn.viewable.Viewable:
        """Called by Panel, on the IOLoop, for every new session (pass this bound method:
        Panel only calls functions and methods, not callable objects)."""
        return self.open_session(SessionDocument(pn.state.curdoc)).page.root

    def open_session(self, document: PageDocument) -> DashboardSession:
        """A new session on ``document`` (the real one, or a fake in tests)."""
        return DashboardSession(
            document=document,
            worker=self.worker,
            instrument_name=self.instrument.name,
            build_stack=self.build_stack,
            views_factory=self.views_factory,
            executor=self.executor,
            settings=self.settings,
            clock=self.clock,
        )

    def build_stack(self, session_id: str) -> SessionStack:
        """A started stack for a new session (runs in the executor)."""
        stack = SessionStack(
            transport_factory=self.transport_factory,
            instrument=self.instrument,
            worker_id=self.worker.worker_id,
            session_id=session_id,
        )
        try:
            stack.start()
        except BaseException:
            stack.close()
            raise
        return stack
