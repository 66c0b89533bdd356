"""The browser side of a session's liveness: a small JavaScript heartbeat widget.

:class:`BrowserHeartbeat` is a Panel ``JSComponent`` placed in the page header. In the
browser it

- increments ``tick`` every ``interval_s`` seconds (5 s; the browser may run the timer
  far less often in a hidden tab, see :mod:`livedash.ui.lifecycle`) and once right
  after it is rendered, so the server learns early that the page's script runs;
- sets ``page_visible`` from ``document.visibilityState`` on render and immediately on
  every ``visibilitychange``;
- sets ``page_frozen`` on the page-lifecycle ``freeze`` event and clears it on ``resume``;
- sets ``page_closing`` on ``pagehide`` (tab closed, reloaded or navigated away), and
  clears it on a ``pageshow`` that restores the page from the back/forward cache;
- shows the connection state: "Live" while the websocket is open, "Disconnected" once
  BokehJS reports ``connection_lost`` (the worker died or the network went away).

Every change is a Bokeh property change, sent to the server over the session's
websocket; the session's updater reads :meth:`BrowserHeartbeat.report` on each refresh.
The parameter names avoid Panel's own ``visible``, which would hide the widget.

Concurrency: Panel sets the parameters on the IOLoop thread; the updater reads them on
the same thread.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

from .lifecycle import BrowserReport

DEFAULT_INTERVAL_S = 5.0


_ESM = """
export function render({ model, view, el }) {
  const badge = document.createElement("span")
  badge.className = "livedash-connection livedash-connection--live"
  badge.title = "Connection to the dashboard worker"
  badge.textContent = "Live"
  el.replaceChildren(badge)

  const beat = () => { model.tick = model.tick + 1 }
  const report_visibility = () => {
    model.page_visible = document.visibilityState === "visible"
  }
  const on_freeze = () => { model.page_frozen = true }
  const on_resume = () => { model.page_frozen = false; beat() }
  const on_pagehide = () => { model.page_closing = true }
  const on_pageshow = (event) => {
    if (event.persisted) { model.page_closing = false; beat() }
  }
  const on_connection_lost = () => {
    badge.className = "livedash-connection livedash-connection--lost"
    badge.textContent = "Disconnected"
    badge.title = "The connection to the dashboard worker was lost: reload the page"
  }

  let timer = null
  const restart_timer = () => {
    if (timer !== null) { clearInterval(timer) }
    timer = setInterval(beat, Math.max(0.5, model.interval_s) * 1000)
  }

  document.addEventListener("visibilitychange", report_visibility)
  document.addEventListener("freeze", on_freeze)
  document.addEventListener("resume", on_resume)
  window.addEventListener("pagehide", on_pagehide)
  window.addEventListener("pageshow", on_pageshow)
  const doc = view.model.document
  if (doc != null) { doc.on_event("connection_lost", on_connection_lost) }
  model.on("interval_s", restart_timer)
  model.on("remove", () => {
    if (timer !== null) { clearInterval(timer) }
    document.removeEventListener("visibilitychange", report_visibility)
    document.removeEventListener("freeze", on_freeze)
    document.removeEventListener("resume", on_resume)
    window.removeEventListener("pagehide", on_pagehide)
    window.removeEventListener("pageshow", on_pageshow)
  })

  report_visibility()
  restart_timer()
  beat()
}
"""


class BrowserHeartbeat(JSComponent):
    """Reports the page's liveness facts to the server (see the module docstring)."""

    interval_s = param.Number(
        default=DEFAULT_INTERVAL_S,
        bounds=(0.5, None),
        doc="Seconds between ticks while the browser runs the page's timers normally.",
    )
    tick = param.Integer(default=0, bounds=(0, None), doc="Timer firings so far.")
    page_visible = param.Boolean(default=True, doc="document.visibilityState is 'visible'.")
    page_frozen = param.Boolean(default=False, doc="The page reported the 'freeze' event.")
    page_closing = param.Boolean(default=False, doc="The page reported 'pagehide'.")

    _esm = _ESM

    def report(self) -> BrowserReport:
        """The facts as last reported by the page."""
        return BrowserReport(
            tick=self.tick,
            visible=self.page_visible,
            frozen=self.page_frozen,
            closing=self.page_closing,
        )
