"""Display rows -> HTML tables (pure). The same rows always give the same markup, so the
view can compare strings and touch the page only when something visible changed."""

from __future__ import annotations

import html
from collections.abc import Sequence

from .rows import ServiceRow, SessionRow, StateCell, WorkerRow

TABLE_CSS = """
:host { width: 100%; }
.ld-status-table { border-collapse: collapse; width: 100%; font-size: 15px; color: #1f2a35; }
.ld-status-table th { text-align: left; font-weight: 600; color: #41505e; white-space: nowrap;
  border-bottom: 2px solid #d5dbe1; padding: 6px 10px; }
.ld-status-table td { padding: 5px 10px; border-bottom: 1px solid #e6eaee; vertical-align: top; }
.ld-status-table tr.ld-this td { background: #eef4fb; }
.ld-status-table tr.ld-inactive td { color: #7b8691; }
.ld-state { display: inline-block; min-width: 5.5em; text-align: center; font-weight: 700;
  font-size: 0.85em; padding: 1px 8px; border-radius: 10px; letter-spacing: 0.03em; }
.ld-state-running { background: #e3f4e8; color: #1e7b3a; }
.ld-state-error, .ld-state-stale { background: #fbe4e2; color: #b3261e; }
.ld-state-muted { background: #eceff2; color: #5f6b76; }
.ld-tag { display: inline-block; font-size: 0.8em; padding: 0 6px; margin-left: 6px;
  border-radius: 8px; background: #dde8f5; color: #24507a; }
.ld-tag-warn { background: #fdf0d5; color: #8a5a00; }
.ld-mono { font-family: ui-monospace, Menlo, Consolas, monospace; }
.ld-empty { color: #5f6b76; font-style: italic; padding: 6px 10px; }
.ld-streams { font-size: 0.9em; line-height: 1.35; }
.ld-error-text { color: #b3261e; font-size: 0.85em; max-width: 24em; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
"""

NO_WORKERS = "No dashboard worker heartbeats received yet."
NO_SESSIONS = "No dashboard session heartbeats received yet."
NO_SERVICES = "No backend service heartbeats received yet."


def workers_table(rows: Sequence[WorkerRow]) -> str:
    headers = (
        "Worker", "Id", "Host", "PID", "Address", "State", "Uptime",
        "Sessions", "RSS", "CPU",
    )  # fmt: skip
    body = [
        (
            _row_class(row.state, this=row.this_worker),
            [
                _e(row.index) + (_tag("this worker") if row.this_worker else ""),
                _mono(row.worker_id[:8], title=row.worker_id),
                _e(row.host),
                _e(row.pid),
                _e(row.address),
                _state(row.state) + (_tag("draining", warn=True) if row.draining else ""),
                _e(row.liveness),
                _e(row.sessions),
                _e(row.rss),
                _e(row.cpu),
            ],
        )
        for row in rows
    ]
    return _table(headers, body, empty=NO_WORKERS)


def sessions_table(rows: Sequence[SessionRow]) -> str:
    headers = (
        "Session", "Worker", "State", "Age", "Browser seen", "Tab",
        "Workflows", "Plots", "Client", "User",
    )  # fmt: skip
    body = [
        (
            _row_class(row.state, this=row.this_session),
            [
                _mono(row.session_id[:8], title=row.session_id)
                + (_tag("this session") if row.this_session else ""),
                _e(row.worker),
                _state(row.state),
                _e(row.age),
                _e(row.browser_seen),
                _e(row.visibility),
                _e(row.workflows),
                _e(row.plots),
                _e(row.client),
                _e(row.user),
            ],
        )
        for row in rows
    ]
    return _table(headers, body, empty=NO_SESSIONS)


def services_table(rows: Sequence[ServiceRow]) -> str:
    headers = ("Service", "Worker", "Host", "State", "Liveness", "Jobs", "Batch", "Streams")
    body = [
        (
            _row_class(row.state, this=False),
            [
                _e(row.service_name),
                _mono(row.worker, title=row.service_id),
                _e(row.host),
                _state(row.state),
                _e(row.liveness),
                _e(row.jobs),
                _e(row.batch),
                '<div class="ld-streams">' + "<br>".join(_e(s) for s in row.streams) + "</div>"
                if row.streams
                else "-",
            ],
        )
        for row in rows
    ]
    return _table(headers, body, empty=NO_SERVICES)


def _table(headers: Sequence[str], body: list[tuple[str, list[str]]], *, empty: str) -> str:
    if not body:
        return f'<div class="ld-empty">{_e(empty)}</div>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    lines = [
        f'<tr class="{css}">' + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        for css, cells in body
    ]
    return (
        f'<table class="ld-status-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(lines)}</tbody></table>"
    )


def _row_class(state: StateCell, *, this: bool) -> str:
    classes = ["ld-this"] if this else []
    if state.css == "ld-state-muted":
        classes.append("ld-inactive")
    return " ".join(classes)


def _state(cell: StateCell) -> str:
    badge = f'<span class="ld-state {cell.css}">{_e(cell.label)}</span>'
    if not cell.error:
        return badge
    first = cell.error.strip().splitlines()[0] if cell.error.strip() else ""
    return f'{badge}<div class="ld-error-text" title="{_e(cell.error)}">{_e(first)}</div>'


def _tag(text: str, *, warn: bool = False) -> str:
    css = "ld-tag ld-tag-warn" if warn else "ld-tag"
    return f'<span class="{css}">{_e(text)}</span>'


def _mono(text: str, *, title: str) -> str:
    return f'<span class="ld-mono" title="{_e(title)}">{_e(text)}</span>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)
