"""One browser session: its stack, its page and its single close path.

A :class:`DashboardSession` is created by :class:`~livedash.ui.app.DashboardApp` for every
new Bokeh session. It

1. registers itself in the worker's session registry and shows its page (header and a
   "connecting" placeholder, :class:`~livedash.ui.page.SessionPage`);
2. builds and starts its :class:`~livedash.session.stack.SessionStack` in the worker's
   executor, never on the IOLoop (creating a Kafka consumer waits for partition leaders);
   the result comes back through the document (:meth:`PageDocument.schedule`);
3. on success builds the views on the IOLoop (Panel objects must not be constructed on other
   threads: Panel resolves the current document through Bokeh's process-global ``curdoc``),
   starts the session's one periodic callback, a
   :class:`~livedash.ui.updater.SessionUpdater`, and shows the tabs once the page has
   loaded, refreshed right after. When the pump publishes new plot states it wakes the
   session, which refreshes its views ``WAKE_SETTLE_S`` (0.15 s) later rather than at
   the next tick: the rest of a burst (the layers of a new page turn READY one pump
   tick after another) arrives meanwhile and is drawn in the same refresh, so a page
   gets its new figures in one layout pass. One wake-up is pending at a time;
   :meth:`~livedash.ui.updater.SessionUpdater.refresh_soon` spaces the refreshes.
   If the stack cannot be built (broker down, topics missing) the page shows the error
   with a retry button and the build is retried every
   ``build_retry_s``; if the views cannot be built (a bug) the page shows the error and the
   session closes;
4. ends through one idempotent :meth:`DashboardSession.close`, whatever asked for it:
   Bokeh destroying the session, a liveness verdict, a FAILED stack or the worker
   shutting down. ``close()`` stops the updater, cancels the periodic callback and the
   retry timer, closes the views, after a liveness verdict asks Bokeh to expire the
   session, closes the stack in the executor (the stack publishes its final ``stopped``
   heartbeat), then unregisters the session and completes
   :attr:`DashboardSession.closed_future`.

Log lines of a session carry ``session_id`` (bound around every callback and the build).

Concurrency: everything except the build and the stack teardown runs on the IOLoop
(creation, document callbacks, the session-destroyed hook, worker shutdown). ``_lock``
guards ``_closed``, ``_building``, ``_stack``, ``_views``, ``_updater``, ``_callback``,
``_retry_timer``, ``_wake_pending`` and ``_wake_timer`` (the pump thread wakes the
session through :meth:`DashboardSession._wake`): the build's completion (on an
executor thread) hands the stack over under it, so a session closed while its stack is
being built still closes that stack.
No collaborator is called while the lock is held.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Executor, Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog
from structlog.contextvars import bound_contextvars

from ..session.stack import SessionStack
from .freshness import FreshnessView
from .heartbeat_widget import DEFAULT_INTERVAL_S
from .lifecycle import LivenessPolicy, LivenessSettings, ReapReason
from .page import SessionPage
from .updater import REFRESH_INTERVAL_S, ClientIdentity, SessionUpdater

logger = structlog.get_logger(__name__)

DEFAULT_BUILD_RETRY_S = 15.0
# A refresh woken by new plot states waits this long for the rest of their burst.
WAKE_SETTLE_S = 0.15
_REAPED = frozenset(ReapReason)
# After these verdicts the browser may still hold an open websocket to a dead page.
_CLOSE_CONNECTIONS_ON = frozenset({ReapReason.SILENT_WHILE_VISIBLE, ReapReason.SILENT_WHILE_HIDDEN})


class SessionView(Protocol):
    def refresh(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ViewContext:
    """What the views of one session are built from."""

    stack: SessionStack
    clock: Callable[[], float]


@dataclass(frozen=True)
class SessionViews:
    """The tabs of a session page, and the views the updater refreshes in this order."""

    tabs: list[tuple[str, Any]]
    views: Sequence[SessionView]


ViewsFactory = Callable[[ViewContext], SessionViews]


@dataclass(frozen=True)
class SessionSettings:
    refresh_interval_s: float = REFRESH_INTERVAL_S
    browser_heartbeat_interval_s: float = DEFAULT_INTERVAL_S
    build_retry_s: float = DEFAULT_BUILD_RETRY_S
    liveness: LivenessSettings = field(default_factory=LivenessSettings)

    def __post_init__(self) -> None:
        for name in ("refresh_interval_s", "browser_heartbeat_interval_s", "build_retry_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")


class WorkerContext(Protocol):
    """What a session needs of its worker (a ``livedash.worker.runtime.WorkerRuntime``)."""

    worker_index: int

    @property
    def stopping(self) -> bool: ...

    @property
    def registry(self) -> Any: ...


class PageDocument(Protocol):
    """The Bokeh side of a session page (:class:`~livedash.ui.document.SessionDocument`)."""

    def schedule(self, callback: Callable[[], None]) -> None: ...

    def add_periodic(self, callback: Callable[[], None], period_s: float) -> Any: ...

    def add_timeout(self, callback: Callable[[], None], delay_s: float) -> Any: ...

    def remove(self, handle: Any) -> None: ...

    def on_destroyed(self, callback: Callable[[Any], None]) -> None: ...

    def on_ready(self, callback: Callable[[], None]) -> None: ...

    def client(self) -> ClientIdentity: ...

    def connected(self) -> bool: ...

    def expire(self, *, close_connections: bool) -> None: ...

    def batch(self) -> AbstractContextManager[None]: ...

    def current(self) -> AbstractContextManager[None]: ...


class DashboardSession:
    """One browser session's page and lifecycle (see the module docstring)."""

    def __init__(
        self,
        *,
        document: PageDocument,
        worker: WorkerContext,
        instrument_name: str,
        build_stack: Callable[[str], SessionStack],
        views_factory: ViewsFactory,
        executor: Executor,
        settings: SessionSettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session_id = str(uuid.uuid4())
        self._document = document
        self._worker = worker
        self._build_stack = build_stack
        self._views_factory = views_factory
        self._executor = executor
        self._settings = settings
        self._clock = clock
        self._created = clock()
        self._lock = threading.Lock()
        self._closed = False
        self._building = False
        self._stack: SessionStack | None = None
        self._views: Sequence[SessionView] = ()
        self._updater: SessionUpdater | None = None
        self._callback: Any = None
        self._retry_timer: Any = None
        self._wake_pending = False
        self._wake_timer: Any = None
        self.closed_future: Future[None] = Future()
        self.page = SessionPage(
            instrument=instrument_name,
            worker_index=worker.worker_index,
            session_id=self.session_id,
            heartbeat_interval_s=settings.browser_heartbeat_interval_s,
        )
        self._client = document.client()
        with self._bound():
            worker.registry.register(self.session_id, self)
            document.on_destroyed(lambda _context: self.close("session_destroyed"))
            document.on_ready(self._in_session(self._on_page_loaded))
            logger.info("session_created", client=self._client.address, user=self._client.user)
            if worker.stopping:
                self.page.show_shutdown()
                self.close("worker_stopping")
                return
            self._start_build()

    @property
    def closed(self) -> bool:
        with self._lock:
            return self._closed

    @property
    def stack(self) -> SessionStack | None:
        """The running stack, once built and until closed."""
        with self._lock:
            return self._stack

    def close(self, reason: str) -> Future[None]:
        """Tear the session down once (see the module docstring); runs on the IOLoop."""
        with self._lock:
            if self._closed:
                return self.closed_future
            self._closed = True
            stack, self._stack = self._stack, None
            building = self._building
            callback, self._callback = self._callback, None
            timer, self._retry_timer = self._retry_timer, None
            wake_timer, self._wake_timer = self._wake_timer, None
            views, self._views = self._views, ()
            updater = self._updater
        with self._bound():
            logger.info("session_closing", reason=str(reason))
            if stack is not None:
                stack.plots.set_listener(None)
            if updater is not None:
                updater.stop()
            for handle in (callback, timer, wake_timer):
                if handle is not None:
                    self._guard("remove_callback", lambda h=handle: self._document.remove(h))
            for view in views:
                self._guard("close_view", view.close)
            if reason in _REAPED:
                close_connections = reason in _CLOSE_CONNECTIONS_ON
                self._guard(
                    "expire", lambda: self._document.expire(close_connections=close_connections)
                )
            if stack is not None:
                self._submit(functools.partial(self._teardown, stack))
            elif not building:
                self._finish()
            # else: the build's completion sees _closed and tears its stack down.
        return self.closed_future

    def show_shutdown_notice(self) -> None:
        """Tell the page that the worker is going away (the worker calls this, then close)."""
        self._document.schedule(self._in_session(self.page.show_shutdown))

    # --- building --------------------------------------------------------------------

    def _start_build(self) -> None:
        with self._lock:
            if self._closed or self._building or self._stack is not None:
                return
            self._building = True
        logger.info("session_stack_building")
        try:
            future = self._executor.submit(self._build)
        except RuntimeError as exc:  # executor shut down: the worker is stopping
            with self._lock:
                self._building = False
            self._on_build_failed(exc)
            return
        future.add_done_callback(self._on_build_done)

    def _build(self) -> SessionStack:
        """Runs in the executor: the started stack.

        The views are not built here: constructing Panel objects off the IOLoop races
        with it (Panel resolves the current document through Bokeh's process-global
        ``curdoc``), so they are built in :meth:`_show_tabs`.
        """
        with self._bound():
            started = self._clock()
            stack = self._build_stack(self.session_id)
            logger.info("session_stack_ready", seconds=round(self._clock() - started, 3))
            return stack

    def _on_build_done(self, future: Future[SessionStack]) -> None:
        # A build still queued when the worker shuts its executor down is cancelled.
        error = CancelledError("worker stopping") if future.cancelled() else future.exception()
        stack = None if error is not None else future.result()
        with self._lock:
            self._building = False
            closed = self._closed
            if not closed:
                self._stack = stack
        if closed:
            if stack is not None:
                self._teardown(stack)
            else:
                self._finish()
        elif error is not None:
            failed = functools.partial(self._on_build_failed, error)
            self._document.schedule(self._in_session(failed))
        else:
            self._document.schedule(self._in_session(self._show_tabs))

    def _on_build_failed(self, error: BaseException) -> None:
        logger.error(
            "session_stack_build_failed", error=str(error), error_type=type(error).__name__
        )
        if self.closed:
            return
        retry_s = self._settings.build_retry_s
        self.page.show_build_failed(error, retry_s=retry_s, on_retry=self._in_session(self._retry))
        timer = self._document.add_timeout(self._in_session(self._retry), retry_s)
        with self._lock:
            previous, self._retry_timer = self._retry_timer, timer
        if previous is not None:
            self._document.remove(previous)

    def _retry(self) -> None:
        with self._lock:
            if self._closed or self._building or self._stack is not None:
                return
        self.page.show_connecting()
        self._start_build()

    def _show_tabs(self) -> None:
        stack = self.stack
        if stack is None:  # closed meanwhile
            return
        started = self._clock()
        try:
            views = self._views_factory(ViewContext(stack=stack, clock=self._clock))
        except Exception as exc:
            logger.exception("session_views_failed")
            self.page.show_stopped(f"{type(exc).__name__}: {exc}")
            self.close("views_failed")
            return
        freshness = FreshnessView(
            freshness=stack.freshness, indicator=self.page.browser, clock=self._clock
        )
        with self._lock:
            self._views = views.views
        logger.info("session_views_built", seconds=round(self._clock() - started, 3))
        updater = SessionUpdater(
            views=(*views.views, freshness),
            browser=self.page.browser,
            heartbeat=stack.heartbeat,
            policy=LivenessPolicy(settings=self._settings.liveness, clock=self._clock),
            stack_state=lambda: stack.state,
            connected=self._document.connected,
            on_reap=self.close,
            on_failed=self._on_stack_failed,
            client=self._client,
            batch=self._document.batch,
            clock=self._clock,
            shown=lambda: self.page.is_loaded,
        )
        self.page.show_tabs(views.tabs)
        callback = self._document.add_periodic(
            self._in_session(self._tick), self._settings.refresh_interval_s
        )
        with self._lock:
            closed = self._closed
            if not closed:
                self._updater, self._callback = updater, callback
        if closed:
            self._document.remove(callback)
            return
        stack.plots.set_listener(self._wake)
        logger.info("session_live", seconds=round(self._clock() - self._created, 3))

    # --- running ---------------------------------------------------------------------

    def _tick(self) -> None:
        with self._lock:
            updater = self._updater
        if updater is not None:
            with self._document.current():
                updater.tick()

    def _wake(self) -> None:
        """New plot states (pump thread): refresh the views on the IOLoop soon."""
        with self._lock:
            if self._closed or self._wake_pending:
                return
            self._wake_pending = True
        self._document.schedule(self._in_session(lambda: self._refresh_in(WAKE_SETTLE_S)))

    def _on_wake(self) -> None:
        # Cleared first: news arriving during this refresh schedules the next one.
        with self._lock:
            self._wake_pending, self._wake_timer = False, None
            updater = None if self._closed else self._updater
        if updater is None:
            return
        with self._document.current():
            wait_s = updater.refresh_soon()
        if wait_s > 0:
            with self._lock:
                if self._closed or self._wake_pending:
                    return
                self._wake_pending = True
            self._refresh_in(wait_s)

    def _refresh_in(self, delay_s: float) -> None:
        """Run :meth:`_on_wake` in ``delay_s`` (IOLoop; a wake-up is pending)."""
        timer = self._document.add_timeout(self._in_session(self._on_wake), delay_s)
        with self._lock:
            closed = self._closed
            if not closed:
                self._wake_timer = timer
        if closed:
            self._document.remove(timer)

    def _on_stack_failed(self) -> None:
        stack = self.stack
        failure = None if stack is None else stack.failure
        logger.error("session_stack_failed", error=repr(failure))
        detail = "The session's message pump stopped on a fatal error"
        if failure is not None:
            detail += f":\n{type(failure).__name__}: {failure}"
        self.page.show_stopped(detail)
        self.close("stack_failed")

    # --- ending ----------------------------------------------------------------------

    def _teardown(self, stack: SessionStack) -> None:
        with self._bound():
            self._guard("close_stack", stack.close)
            self._finish()

    def _finish(self) -> None:
        self._worker.registry.unregister(self.session_id)
        if not self.closed_future.done():
            self.closed_future.set_result(None)
        with self._bound():
            logger.info("session_ended", lifetime_s=round(self._clock() - self._created, 3))

    # --- helpers ---------------------------------------------------------------------

    def _on_page_loaded(self) -> None:
        """Show the tabs kept meanwhile and refresh the views right after: the stack
        has read the recent history by now (ADR 0012), so the plots follow the tabs at
        once instead of up to a refresh interval later. (Not in one batch: changes to
        models added inside the same frozen batch do not reach the browser.)"""
        logger.info("session_page_ready", seconds=round(self._clock() - self._created, 3))
        self.page.loaded()
        self._tick()

    def _submit(self, task: Callable[[], None]) -> None:
        try:
            self._executor.submit(task)
        except RuntimeError:  # executor shut down: run it here rather than leak the stack
            task()

    def _in_session(self, callback: Callable[[], None]) -> Callable[[], None]:
        """``callback`` with this session's id bound in every log line it writes."""

        def run() -> None:
            with self._bound():
                callback()

        return run

    def _bound(self) -> AbstractContextManager[Any]:
        return bound_contextvars(session_id=self.session_id)

    def _guard(self, step: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:  # teardown continues; every step gets its turn
            logger.exception("session_close_step_failed", step=step)
