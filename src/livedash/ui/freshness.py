"""Telling the user when the session is not current: no silent freeze.

:class:`FreshnessView` is one of the session's views, refreshed by the session updater
(every 0.5 s, inside the tick's batch). Each refresh it

- counts the page's ``server_beat`` up, at most once per ``beat_interval_s`` (1 s): the
  page shows "No update for N s" when the beats stop arriving while the websocket is
  open, which is what a worker too busy to serve this session looks like from the
  browser (:mod:`livedash.ui.heartbeat_widget`). The beat rides in the same message as
  the tick's other changes;
- sets the server's verdict from the stack's :class:`~livedash.session.pump.Freshness`:
  ``silent`` when nothing arrived from Kafka for ``silent_after_s`` (10 s: a session
  hears at least its own heartbeat every 2 s, so this is an unreachable broker or a
  stuck pump), else ``behind`` when the newest message was older than ``behind_after_s``
  (5 s) on arrival (the session's consumer or the broker falls behind), else ``live``.
  The texts change only when the verdict or its rounded number does.

Concurrency: runs on the session's IOLoop callback only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..session.pump import Freshness

SILENT_AFTER_S = 10.0
BEHIND_AFTER_S = 5.0
BEAT_INTERVAL_S = 1.0


class FreshnessIndicator(Protocol):
    """What the view sets (``BrowserHeartbeat``'s server-side parameters)."""

    server_beat: int
    freshness: str
    freshness_text: str
    freshness_detail: str


@dataclass(frozen=True)
class Verdict:
    state: str  # "live", "behind" or "silent"
    text: str = ""
    detail: str = ""


def verdict(
    freshness: Freshness,
    *,
    silent_after_s: float = SILENT_AFTER_S,
    behind_after_s: float = BEHIND_AFTER_S,
) -> Verdict:
    """What the badge says about ``freshness``."""
    if freshness.silent_s >= silent_after_s:
        seconds = round(freshness.silent_s)
        return Verdict(
            "silent",
            f"No data for {seconds} s",
            f"Nothing has arrived from Kafka for {seconds} s: the broker may be "
            "unreachable. Plots show the last data received.",
        )
    if freshness.behind_s is not None and freshness.behind_s >= behind_after_s:
        seconds = round(freshness.behind_s)
        return Verdict(
            "behind",
            f"{seconds} s behind",
            f"The newest data arrived {seconds} s after it was published: this session "
            "falls behind. Plots are not current.",
        )
    return Verdict("live")


class FreshnessView:
    """Beats to the page and tells it how current the session is (module docstring)."""

    def __init__(
        self,
        *,
        freshness: Callable[[], Freshness],
        indicator: FreshnessIndicator,
        clock: Callable[[], float] = time.monotonic,
        beat_interval_s: float = BEAT_INTERVAL_S,
    ) -> None:
        self._freshness = freshness
        self._indicator = indicator
        self._clock = clock
        self._beat_interval_s = beat_interval_s
        self._beat_at: float | None = None
        self._shown = Verdict("live")

    def refresh(self) -> None:
        now = self._clock()
        if self._beat_at is None or now - self._beat_at >= self._beat_interval_s:
            self._beat_at = now
            self._indicator.server_beat += 1
        current = verdict(self._freshness())
        if current == self._shown:
            return
        self._shown = current
        # Texts first: the page re-renders on "freshness" and must find them current.
        self._indicator.freshness_text = current.text
        self._indicator.freshness_detail = current.detail
        self._indicator.freshness = current.state
