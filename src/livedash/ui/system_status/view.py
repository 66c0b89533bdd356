"""The System Status tab: dashboard workers, dashboard sessions and backend services.

Everything shown comes from the session's :class:`ServiceRegistry`, which reads only the
status topic, so the tab shows the workers and sessions of every host, not just this
process. Each section is one HTML table rendered by a pure function (:mod:`.tables`);
:meth:`SystemStatusView.refresh` re-renders when the registry's version changed or the
displayed second ticked over (ages and uptimes move), and hands Panel a new string only
when the markup differs, so an unchanged table is never touched.

Concurrency: the registry is filled by the pump thread; this view reads it from the
session's UI thread (:meth:`refresh`), through the registry's own lock.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Protocol

import panel as pn

from ...session.service_registry import ServiceEntry
from .rows import service_rows, session_rows, worker_label, worker_rows
from .tables import TABLE_CSS, services_table, sessions_table, workers_table

SECTION_CSS = """
.ld-section { font-size: 18px; font-weight: 600; color: #2b3a4a; margin: 14px 0 4px 0; }
.ld-section-note { font-weight: 400; color: #5f6b76; font-size: 0.85em; margin-left: 8px; }
"""


class ServiceRegistryReader(Protocol):
    """What the tab needs from :class:`~livedash.session.service_registry.ServiceRegistry`."""

    @property
    def version(self) -> int: ...

    def backend_services(self) -> list[ServiceEntry]: ...

    def dashboard_workers(self) -> list[ServiceEntry]: ...

    def dashboard_sessions(self, worker_id: str | None = None) -> list[ServiceEntry]: ...


class SystemStatusView:
    """Three live tables (see the module docstring)."""

    def __init__(
        self,
        *,
        services: ServiceRegistryReader,
        clock: Callable[[], float] = time.monotonic,
        this_session_id: str | None = None,
        this_worker_id: str | None = None,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self._services = services
        self._clock = clock
        self._wall_ns = wall_ns
        self._this_session_id = this_session_id
        self._this_worker_id = this_worker_id
        self._closed = False
        self._rendered_at: tuple[int, int] | None = None
        self.workers_header = _pane()
        self.workers_table = _pane(TABLE_CSS)
        self.sessions_header = _pane()
        self.sessions_table = _pane(TABLE_CSS)
        self.services_header = _pane()
        self.services_table = _pane(TABLE_CSS)
        self._panel = pn.Column(
            self.workers_header,
            self.workers_table,
            self.sessions_header,
            self.sessions_table,
            self.services_header,
            self.services_table,
            sizing_mode="stretch_width",
            margin=(0, 10),
            styles={"--bokeh-font-size": "15px", "font-size": "15px"},
        )
        self.refresh()

    @property
    def panel(self) -> pn.viewable.Viewable:
        return self._panel

    def refresh(self) -> None:
        """Re-render if the registry changed or a second passed; touch only changed panes."""
        if self._closed:
            return
        now = self._clock()
        key = (self._services.version, int(now))
        if key == self._rendered_at:
            return
        self._rendered_at = key
        wall = self._wall_ns()
        workers = worker_rows(
            self._services.dashboard_workers(),
            now=now,
            wall_ns=wall,
            this_worker_id=self._this_worker_id,
        )
        sessions = session_rows(
            self._services.dashboard_sessions(),
            now=now,
            wall_ns=wall,
            this_session_id=self._this_session_id,
            worker_labels={row.worker_id: worker_label(row) for row in workers},
        )
        services = service_rows(self._services.backend_services(), now=now, wall_ns=wall)
        _set(self.workers_header, _header("Dashboard workers", workers))
        _set(self.workers_table, workers_table(workers))
        _set(self.sessions_header, _header("Dashboard sessions", sessions))
        _set(self.sessions_table, sessions_table(sessions))
        _set(self.services_header, _header("Backend services", services))
        _set(self.services_table, services_table(services))

    def close(self) -> None:
        """Stop refreshing (idempotent); the registry belongs to the session stack."""
        self._closed = True


def _header(title: str, rows: list) -> str:
    live = sum(1 for row in rows if row.state.css == "ld-state-running")
    note = f"{len(rows)} known, {live} running"
    return (
        f'<div class="ld-section">{html.escape(title)}'
        f'<span class="ld-section-note">{note}</span></div>'
    )


def _pane(css: str = SECTION_CSS) -> pn.pane.HTML:
    return pn.pane.HTML("", stylesheets=[css], sizing_mode="stretch_width", margin=0)


def _set(pane: pn.pane.HTML, markup: str) -> None:
    if pane.object != markup:
        pane.object = markup
