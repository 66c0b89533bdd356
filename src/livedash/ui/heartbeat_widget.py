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
- shows the session's state (no silent freeze), in this order of precedence:
  "Disconnected" once BokehJS reports ``connection_lost`` (the worker died or the
  network went away); "No update for N s" when the worker's ``server_beat`` (counted
  up once a second by :class:`livedash.ui.freshness.FreshnessView`) has not changed for
  ``stall_after_s`` while the websocket is open (the worker is overloaded or stuck);
  the server's own verdict ``freshness`` / ``freshness_text`` when it is not "live"
  (Kafka silent, data behind); else "Live". The page re-checks once a second.

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
# The server beats once a second; five missed beats are not scheduling jitter.
DEFAULT_STALL_AFTER_S = 5.0


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
  let lost = false
  let last_beat = Date.now()
  const show = (kind, text, title) => {
    const cls = "livedash-connection livedash-connection--" + kind
    if (badge.className !== cls) { badge.className = cls }
    if (badge.textContent !== text) { badge.textContent = text }
    if (badge.title !== title) { badge.title = title }
  }
  const render_state = () => {
    if (lost) {
      show("lost", "Disconnected",
        "The connection to the dashboard worker was lost: reload the page")
      return
    }
    const stalled_s = (Date.now() - last_beat) / 1000
    if (stalled_s >= model.stall_after_s) {
      show("stalled", `No update for ${Math.round(stalled_s)} s`,
        "The dashboard worker has sent nothing for a while: it may be overloaded. " +
        "Plots are not current.")
    } else if (model.freshness !== "live" && model.freshness_text) {
      show("behind", model.freshness_text, model.freshness_detail || model.freshness_text)
    } else {
      show("live", "Live", "Connected; data is current")
    }
  }
  const on_connection_lost = () => { lost = true; render_state() }
  const on_server_beat = () => { last_beat = Date.now(); render_state() }

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
  model.on("server_beat", on_server_beat)
  model.on(["freshness", "freshness_text", "freshness_detail"], render_state)
  const state_timer = setInterval(render_state, 1000)
  model.on("remove", () => {
    if (timer !== null) { clearInterval(timer) }
    clearInterval(state_timer)
    document.removeEventListener("visibilitychange", report_visibility)
    document.removeEventListener("freeze", on_freeze)
    document.removeEventListener("resume", on_resume)
    window.removeEventListener("pagehide", on_pagehide)
    window.removeEventListener("pageshow", on_pageshow)
  })

  report_visibility()
  restart_timer()
  render_state()
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
    # Server -> page: the session's freshness (see the module docstring).
    server_beat = param.Integer(default=0, bounds=(0, None), doc="Counted up by the server.")
    stall_after_s = param.Number(
        default=DEFAULT_STALL_AFTER_S,
        bounds=(1.0, None),
        doc="Seconds without a server beat after which the page says the worker stalled.",
    )
    freshness = param.Selector(
        default="live", objects=["live", "behind", "silent"], doc="The server's verdict."
    )
    freshness_text = param.String(default="", doc="What the badge says when not live.")
    freshness_detail = param.String(default="", doc="The badge's tooltip when not live.")

    _esm = _ESM

    def report(self) -> BrowserReport:
        """The facts as last reported by the page."""
        return BrowserReport(
            tick=self.tick,
            visible=self.page_visible,
            frozen=self.page_frozen,
            closing=self.page_closing,
        )
