"""The look of the session page: header, connecting placeholder, banners, styles.

Only presentation lives here: small builders that return Panel objects, and the CSS they
use. Panel renders components in shadow DOM, so styles are attached to each component
(``stylesheets=``) rather than to the page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import panel as pn

PAGE_TITLE = "livedash"

HEADER_CSS = """
:host { width: 100%; }
.livedash-header {
  display: flex; align-items: baseline; gap: 1.2em; padding: 0.4em 0.8em;
  font-family: system-ui, sans-serif; color: #f4f6f8; background: #1f3a56;
}
.livedash-header .title { font-size: 1.25em; font-weight: 600; letter-spacing: 0.02em; }
.livedash-header .fact { font-size: 0.9em; opacity: 0.85; }
.livedash-header .fact b { font-weight: 600; }
"""

CONNECTION_CSS = """
:host { align-self: center; }
.livedash-connection {
  display: inline-block; padding: 0.15em 0.7em; border-radius: 1em;
  font: 600 0.85em system-ui, sans-serif; white-space: nowrap;
}
.livedash-connection::before { content: "\\25CF"; margin-right: 0.4em; }
.livedash-connection--live { color: #0b6b2f; background: #d6f5df; }
.livedash-connection--lost { color: #8a1111; background: #fbdcdc; }
.livedash-connection--stalled { color: #8a1111; background: #fbdcdc; }
.livedash-connection--behind { color: #7a4b00; background: #fdebc8; }
"""

BANNER_CSS = """
.livedash-banner { font-family: system-ui, sans-serif; max-width: 60em; }
.livedash-banner h2 { margin: 0 0 0.4em 0; font-size: 1.2em; }
.livedash-banner pre { white-space: pre-wrap; font-size: 0.85em; }
"""


def header(
    *, instrument: str, worker_index: int, session_id: str, indicator: pn.viewable.Viewable
) -> pn.Row:
    """The session header: instrument, worker index, short session id, connection state."""
    facts = (
        f'<div class="livedash-header"><span class="title">{PAGE_TITLE}</span>'
        f'<span class="fact">instrument <b>{html.escape(instrument)}</b></span>'
        f'<span class="fact">worker <b>{worker_index}</b></span>'
        f'<span class="fact">session <b>{html.escape(session_id[:8])}</b></span></div>'
    )
    return pn.Row(
        pn.pane.HTML(facts, stylesheets=[HEADER_CSS], sizing_mode="stretch_width", margin=0),
        indicator,
        sizing_mode="stretch_width",
        styles={"background": "#1f3a56"},
        margin=0,
    )


def connection_stylesheets() -> list[str]:
    return [CONNECTION_CSS]


def placeholder(text: str) -> pn.Column:
    """Shown while the session's Kafka stack is being built."""
    return pn.Column(
        pn.Row(
            pn.indicators.LoadingSpinner(value=True, size=24, margin=(0, 10)),
            pn.pane.HTML(f"<span>{html.escape(text)}</span>", margin=0),
            align="center",
        ),
        margin=20,
    )


def banner(
    *, title: str, detail: str, kind: str = "danger", actions: Sequence[Any] = ()
) -> pn.Column:
    """A message that replaces the page body (build failure, failed session, shutdown)."""
    text = (
        f'<div class="livedash-banner"><h2>{html.escape(title)}</h2>'
        f"<pre>{html.escape(detail)}</pre></div>"
    )
    alert = pn.pane.Alert(text, alert_type=kind, stylesheets=[BANNER_CSS])
    return pn.Column(alert, pn.Row(*actions), margin=20)


def reload_button() -> pn.widgets.Button:
    """A button that reloads the page in the browser (a new page means a new session)."""
    button = pn.widgets.Button(label="Reload the page", color="primary")
    button.js_on_click(code="window.location.reload()")
    return button


def build_failed_banner(
    error: BaseException, *, retry_s: float, on_retry: Callable[[], None]
) -> pn.Column:
    """The session's Kafka stack could not be built; it is retried every ``retry_s``."""
    retry = pn.widgets.Button(label="Retry now", color="primary")
    retry.on_click(lambda _event: on_retry())
    return banner(
        title="This session could not connect to Kafka",
        detail=f"{type(error).__name__}: {error}\n\nRetrying every {retry_s:g} s.",
        actions=[retry, reload_button()],
    )


def stopped_banner(detail: str) -> pn.Column:
    """The session ended on an error; only a new page (a new session) helps."""
    return banner(
        title="This session has stopped",
        detail=f"{detail}\n\nReload the page to start a new session.",
        actions=[reload_button()],
    )


def shutdown_banner() -> pn.Column:
    return banner(
        title="This dashboard worker is shutting down",
        detail="Reload the page to continue on another worker.",
        kind="warning",
        actions=[reload_button()],
    )
