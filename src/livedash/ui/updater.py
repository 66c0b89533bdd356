"""The session's one periodic callback: browser facts in, liveness verdict, view refresh.

:class:`SessionUpdater` is driven by the session's only periodic callback (every 0.5 s,
on the IOLoop, with the document lock held). Each :meth:`SessionUpdater.tick`:

1. hands a FAILED stack (its pump ended on a fatal error) to ``on_failed`` once, and
   stops; a CLOSED stack stops it silently;
2. reads the browser heartbeat widget's report and feeds what changed to the liveness
   policy and to the session heartbeat (tab visible, time of the last browser beat);
   on the first tick it also records the client address and user;
3. asks the liveness policy; a reap verdict goes to ``on_reap`` once, and stops;
4. refreshes every view (the notification presenter is one of them) inside ``batch()``,
   which the app makes ``pn.io.hold()`` plus a model-graph freeze
   (:func:`livedash.ui.document.batched`), so that all changes of one tick reach the
   browser as one message. A view whose refresh raises is counted and logged once per
   exception type; the other views still refresh.

Between ticks, :meth:`SessionUpdater.refresh_soon` refreshes the views (step 4 alone) as
soon as the session's pump has published new plot states; so a new result is drawn about
when it is computed instead of up to a tick later. Every refresh, woken or ticked, comes
at least ``min_refresh_gap_s`` (0.4 s) after the previous one, and a tick that comes
sooner skips step 4: a page gets no more updates per second than with ticks alone, so a
browser short of CPU gets no extra work from results that arrive one job at a time
(ADR 0015).

Once stopped, ticks do nothing. Nothing here imports Panel: collaborators come in
through the small protocols below, so tests drive the updater with fakes and a fake clock.

Concurrency: every method runs on the session's IOLoop callback; none is thread-safe.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from ..session.lifecycle import StackState
from .lifecycle import BrowserReport, LivenessPolicy, ReapReason

logger = structlog.get_logger(__name__)

REFRESH_INTERVAL_S = 0.5
# Refreshes (ticked or woken by new plot states) come at most this often.
MIN_REFRESH_GAP_S = 0.4
# A wait this short is no wait (timers are not that precise).
_DUE_WITHIN_S = 0.001
# A refresh slower than this holds up every other session of the worker: log it.
SLOW_REFRESH_S = 0.2


class View(Protocol):
    def refresh(self) -> None: ...


class BrowserSource(Protocol):
    def report(self) -> BrowserReport: ...


class BrowserFactsSink(Protocol):
    """What the session heartbeat accepts from the browser side (``SessionHeartbeat``)."""

    def browser_heartbeat(self, *, visible: bool) -> None: ...

    def set_client(self, *, client_address: str | None, user: str | None) -> None: ...


@dataclass(frozen=True)
class ClientIdentity:
    """Who is looking at the session, as far as the page request tells."""

    address: str | None = None
    user: str | None = None


def client_identity(
    headers: Mapping[str, Any], remote_ip: str | None, user: str | None = None
) -> ClientIdentity:
    """The browser's address and user name from the page request.

    Behind nginx the connection comes from the proxy, so the first address of
    ``X-Forwarded-For`` (then ``X-Real-IP``) wins over the peer address. The user is
    Panel's authenticated user if any, else ``X-Forwarded-User`` set by an authenticating
    proxy. Both are informational (they go into the session heartbeat), never used for
    access decisions.
    """
    lowered = {str(key).lower(): value for key, value in headers.items()}

    def header(name: str) -> str | None:
        value = lowered.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        text = str(value).strip() if value is not None else ""
        return text or None

    forwarded = header("x-forwarded-for")
    address = forwarded.split(",")[0].strip() if forwarded else None
    return ClientIdentity(
        address=address or header("x-real-ip") or remote_ip or None,
        user=user or header("x-forwarded-user"),
    )


class SessionUpdater:
    """Drives one session's page from its single periodic callback (see the module docstring)."""

    def __init__(
        self,
        *,
        views: Sequence[View],
        browser: BrowserSource,
        heartbeat: BrowserFactsSink,
        policy: LivenessPolicy,
        stack_state: Callable[[], StackState],
        connected: Callable[[], bool],
        on_reap: Callable[[ReapReason], None],
        on_failed: Callable[[], None],
        client: ClientIdentity | None = None,
        batch: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext,
        clock: Callable[[], float] = time.monotonic,
        shown: Callable[[], bool] = lambda: True,
        min_refresh_gap_s: float = MIN_REFRESH_GAP_S,
    ) -> None:
        self._views = tuple(views)
        self._min_refresh_gap_s = min_refresh_gap_s
        self._last_refresh: float | None = None
        self._shown = shown
        self._browser = browser
        self._heartbeat = heartbeat
        self._policy = policy
        self._stack_state = stack_state
        self._connected = connected
        self._on_reap = on_reap
        self._on_failed = on_failed
        self._client = client
        self._batch = batch
        self._clock = clock
        self._last = BrowserReport()
        self._stopped = False
        self._ticks = 0
        self._refresh_errors: dict[str, int] = {}
        self._slowest_refresh_s = 0.0

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """Make further ticks do nothing (the session is closing)."""
        self._stopped = True

    def stats(self) -> dict[str, Any]:
        return {
            "ticks": self._ticks,
            "refresh_errors": dict(self._refresh_errors),
            "slowest_refresh_s": round(self._slowest_refresh_s, 4),
            "stopped": self._stopped,
        }

    def tick(self) -> None:
        """One refresh of the session (see the module docstring)."""
        if self._stopped:
            return
        self._ticks += 1
        state = self._stack_state()
        if state is not StackState.RUNNING:
            self._stopped = True
            if state is StackState.FAILED:
                self._on_failed()
            return
        self._observe_browser()
        decision = self._policy.decide()
        if decision.reason is not None:
            self._stopped = True
            self._on_reap(decision.reason)
            return
        if self._shown() and self._refresh_wait() <= _DUE_WITHIN_S:
            self._refresh_views()

    def refresh_soon(self) -> float:
        """Refresh the views now, between ticks (new plot states arrived).

        Returns 0.0 when done or when there is nothing to do (stopped, page not shown
        yet: its first refresh follows the page), else the seconds to wait before asking
        again: the last refresh was less than ``min_refresh_gap_s`` ago.
        """
        if self._stopped or not self._shown():
            return 0.0
        wait = self._refresh_wait()
        if wait > _DUE_WITHIN_S:
            return wait
        self._refresh_views()
        return 0.0

    def _refresh_wait(self) -> float:
        """Seconds until the views may be refreshed again (0 or less: now)."""
        if self._last_refresh is None:
            return 0.0
        return self._last_refresh + self._min_refresh_gap_s - self._clock()

    def _observe_browser(self) -> None:
        if self._client is not None:
            self._heartbeat.set_client(client_address=self._client.address, user=self._client.user)
            self._client = None
        report, last = self._browser.report(), self._last
        self._last = report
        if report.closing and not last.closing:
            self._policy.closing()
        if report.frozen != last.frozen:
            self._policy.frozen_changed(report.frozen)
        alive = False
        if report.visible != last.visible:
            self._policy.visibility(report.visible)
            alive = True
        if report.tick != last.tick:
            self._policy.tick()
            alive = True
        if alive:
            self._heartbeat.browser_heartbeat(visible=report.visible)
        self._policy.connected(self._connected())

    def _refresh_views(self) -> None:
        started = self._last_refresh = self._clock()
        with self._batch():
            for view in self._views:
                try:
                    view.refresh()
                except Exception as exc:  # noqa: BLE001 - one broken view must not blank the page
                    self._count_failure(view, exc)
        elapsed = self._clock() - started
        if elapsed > self._slowest_refresh_s:
            self._slowest_refresh_s = elapsed
            if elapsed > SLOW_REFRESH_S:
                logger.warning("session_refresh_slow", seconds=round(elapsed, 3))

    def _count_failure(self, view: View, exc: Exception) -> None:
        key = f"{type(view).__name__}:{type(exc).__name__}"
        count = self._refresh_errors.get(key, 0) + 1
        self._refresh_errors[key] = count
        if count == 1:
            logger.error("view_refresh_failed", view=type(view).__name__, exc_info=exc)
