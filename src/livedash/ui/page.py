"""The Panel objects of one session page, and when their body may change.

:class:`SessionPage` holds the page: a header (instrument, worker index, short session
id, and the browser heartbeat widget, which doubles as the connection indicator) above
a body that shows, in turn, the "connecting" placeholder, the tabs, or a banner.

Changes of the body wait for the page to have loaded (:meth:`SessionPage.loaded`, on the
browser's ``document_ready``): a change made while the browser is still fetching the
document over its new websocket can be lost, because BokehJS drops patches that arrive
before the document, and the document it fetched may predate the change. The page would
then stay on "connecting" for good. Until the page has loaded only the latest body is
kept, and it is shown then.

Concurrency: IOLoop only, like every Panel object of a session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import panel as pn

from . import theme
from .heartbeat_widget import BrowserHeartbeat

CONNECTING_TEXT = "Connecting to Kafka…"


class SessionPage:
    """Header and body of one session's page (see the module docstring)."""

    def __init__(
        self,
        *,
        instrument: str,
        worker_index: int,
        session_id: str,
        heartbeat_interval_s: float,
    ) -> None:
        self.browser = BrowserHeartbeat(
            interval_s=heartbeat_interval_s,
            stylesheets=theme.connection_stylesheets(),
            margin=(0, 10),
        )
        self.body = pn.Column(theme.placeholder(CONNECTING_TEXT), sizing_mode="stretch_both")
        self.root = pn.Column(
            theme.header(
                instrument=instrument,
                worker_index=worker_index,
                session_id=session_id,
                indicator=self.browser,
            ),
            self.body,
            sizing_mode="stretch_both",
            margin=0,
        )
        self._loaded = False
        self._pending: Callable[[], Any] | None = None

    @property
    def is_loaded(self) -> bool:
        return self._loaded

    def loaded(self) -> None:
        """The browser has rendered the page: show the body kept meanwhile, if any."""
        self._loaded = True
        pending, self._pending = self._pending, None
        if pending is not None:
            self.body[:] = [pending()]

    def show(self, build: Callable[[], Any]) -> None:
        """Make ``build()`` the body, now if the page has loaded, else once it has."""
        if self._loaded:
            self.body[:] = [build()]
        else:
            self._pending = build

    def show_connecting(self) -> None:
        self.show(lambda: theme.placeholder(CONNECTING_TEXT))

    def show_tabs(self, tabs: Sequence[tuple[str, Any]]) -> None:
        self.show(lambda: pn.Tabs(*tabs, dynamic=True, sizing_mode="stretch_both"))

    def show_build_failed(
        self, error: BaseException, *, retry_s: float, on_retry: Callable[[], None]
    ) -> None:
        self.show(lambda: theme.build_failed_banner(error, retry_s=retry_s, on_retry=on_retry))

    def show_stopped(self, detail: str) -> None:
        self.show(lambda: theme.stopped_banner(detail))

    def show_shutdown(self) -> None:
        self.show(theme.shutdown_banner)
