"""The liveness policy of one browser session: keep it, or reap it and say why.

Pure: no Panel, no Bokeh, no threads; time comes from an injected ``clock``. The
session's updater feeds it what the browser reported (ticks, visibility, page-lifecycle
freeze and pagehide) and whether the session's websocket is connected, then asks
:meth:`LivenessPolicy.decide` once per refresh.

Rules, in the order they are checked (docs/sessions.md explains each one):

1. **Closing.** The page reported ``pagehide``: reap now. The tab is going away and its
   websocket closes moments later; tearing down at once frees the Kafka stack promptly.
2. **Connection gone.** The session's websocket was open once and has been closed for
   ``reap_disconnected_after_s`` (5 s): reap. The page cannot come back (it does not
   reconnect; it tells the user to reload), so its stack is freed without waiting for
   Bokeh to discard the session. Before the first connection this rule does not apply:
   a page may take a while to load its scripts, and Bokeh discards sessions that never
   connect (the worker's connect timeout).
3. **Frozen.** The page reported the lifecycle ``freeze`` event (Chrome's Energy Saver,
   a discarded-soon background tab): keep. A frozen page runs no timers at all, so its
   silence says nothing; only a dead connection (rule 2, or Bokeh's own cleanup) ends it.
4. **Silent while visible.** A visible page ticks every few seconds; no sign of life for
   ``reap_visible_after_s`` (60 s) means the page is gone or hung while its connection
   stays open: reap.
5. **Silent while hidden.** Browsers throttle timers in hidden tabs (Chrome: at most once
   a minute after five minutes hidden), so a hidden page is reaped only after
   ``reap_hidden_after_s`` (15 min) without a sign of life.

A *sign of life* is any report from the page: a tick, a visibility change or a
freeze/resume. The silence of a page that never reported counts from the moment the
policy was created (the session's start), so a page whose script never ran is reaped by
rule 4 as well.

Concurrency: none; one session's updater owns its policy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_REAP_VISIBLE_AFTER_S = 60.0
DEFAULT_REAP_HIDDEN_AFTER_S = 15 * 60.0
DEFAULT_REAP_DISCONNECTED_AFTER_S = 5.0


class ReapReason(StrEnum):
    PAGE_CLOSED = "page_closed"
    CONNECTION_LOST = "connection_lost"
    SILENT_WHILE_VISIBLE = "no_browser_heartbeat_while_visible"
    SILENT_WHILE_HIDDEN = "no_browser_heartbeat_while_hidden"


@dataclass(frozen=True)
class LivenessSettings:
    """The timeouts of the policy, in seconds (see the module docstring)."""

    reap_visible_after_s: float = DEFAULT_REAP_VISIBLE_AFTER_S
    reap_hidden_after_s: float = DEFAULT_REAP_HIDDEN_AFTER_S
    reap_disconnected_after_s: float = DEFAULT_REAP_DISCONNECTED_AFTER_S

    def __post_init__(self) -> None:
        for name in ("reap_visible_after_s", "reap_hidden_after_s", "reap_disconnected_after_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        if self.reap_hidden_after_s < self.reap_visible_after_s:
            raise ValueError(
                f"reap_hidden_after_s ({self.reap_hidden_after_s!r}) must not be shorter than "
                f"reap_visible_after_s ({self.reap_visible_after_s!r}): hidden tabs tick less often"
            )


@dataclass(frozen=True)
class LivenessDecision:
    """``reason`` is None to keep the session, else why it should be reaped."""

    reason: ReapReason | None = None

    @property
    def reap(self) -> bool:
        return self.reason is not None


KEEP = LivenessDecision()


@dataclass(frozen=True)
class BrowserReport:
    """What the page has reported so far (``tick`` counts its timer firings)."""

    tick: int = 0
    visible: bool = True
    frozen: bool = False
    closing: bool = False


class LivenessPolicy:
    """Browser facts in, keep-or-reap out (see the module docstring)."""

    def __init__(
        self,
        *,
        settings: LivenessSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings or LivenessSettings()
        self._clock = clock
        now = clock()
        self._last_sign_of_life = now
        self._last_tick: float | None = None
        self._visible = True
        self._frozen = False
        self._closing = False
        self._ever_connected = False
        self._disconnected_since: float | None = None

    @property
    def settings(self) -> LivenessSettings:
        return self._settings

    @property
    def visible(self) -> bool:
        return self._visible

    @property
    def frozen(self) -> bool:
        return self._frozen

    def tick(self) -> None:
        """The page's timer fired (a browser heartbeat arrived)."""
        self._last_tick = self._alive()

    def visibility(self, visible: bool) -> None:
        """The page reported ``document.visibilityState`` (it changed, or on load)."""
        self._visible = visible
        self._alive()

    def frozen_changed(self, frozen: bool) -> None:
        """The page reported the lifecycle ``freeze`` (True) or ``resume`` (False) event."""
        self._frozen = frozen
        self._alive()

    def closing(self) -> None:
        """The page reported ``pagehide``: it is being closed or navigated away from."""
        self._closing = True

    def connected(self, connected: bool) -> None:
        """Whether the session has an open websocket right now."""
        if connected:
            self._ever_connected = True
            self._disconnected_since = None
        elif self._ever_connected and self._disconnected_since is None:
            self._disconnected_since = self._clock()

    def last_tick_age_s(self) -> float | None:
        """Seconds since the last tick, or None if the page never ticked."""
        return None if self._last_tick is None else self._clock() - self._last_tick

    def silence_s(self) -> float:
        """Seconds since the last sign of life (or since the session started)."""
        return self._clock() - self._last_sign_of_life

    def decide(self) -> LivenessDecision:
        """Apply the rules of the module docstring, in order, to the facts so far."""
        settings = self._settings
        now = self._clock()
        if self._closing:
            return LivenessDecision(ReapReason.PAGE_CLOSED)
        if (
            self._disconnected_since is not None
            and now - self._disconnected_since >= settings.reap_disconnected_after_s
        ):
            return LivenessDecision(ReapReason.CONNECTION_LOST)
        if self._frozen:
            return KEEP
        silence = now - self._last_sign_of_life
        if self._visible and silence >= settings.reap_visible_after_s:
            return LivenessDecision(ReapReason.SILENT_WHILE_VISIBLE)
        if not self._visible and silence >= settings.reap_hidden_after_s:
            return LivenessDecision(ReapReason.SILENT_WHILE_HIDDEN)
        return KEEP

    def _alive(self) -> float:
        now = self._clock()
        self._last_sign_of_life = now
        return now
