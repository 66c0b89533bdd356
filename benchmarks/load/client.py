"""Protocol-level tabs: real Bokeh sessions held with ``bokeh.client``, nothing rendered.

Measures what the *server* can carry, without Chromium's CPU on the same two cores.
Each session is what a browser tab makes of the dashboard, minus the drawing:

1. ``GET /`` through nginx, which redirects to a worker (``/w/<i>/``), as for a tab;
2. :func:`bokeh.client.pull_session` on that worker's URL through nginx, with the
   ``Origin`` header a browser would send (the workers check it);
3. the browser's ``document_ready`` event (the session swaps its placeholder for the
   tabs only after it), and a heartbeat ``tick`` every 5 s as the page's widget sends
   (a visible page that stays silent for 60 s is reaped).

Every ``ColumnDataSource`` change the server sends is recorded with the fingerprint of
its data (:mod:`.fingerprints`), exactly like the page probe does in a browser.

``bokeh.client`` reads server messages only inside its blocking ``loop_until_closed``,
one session at a time and by recursion; here all sessions share one tornado IOLoop and
each gets a flat reader coroutine (``_pop_message`` / ``_handle_patch``, private but
stable Bokeh API), so many sessions can be held by one process.
"""

from __future__ import annotations

import functools
import http.client
import time
from typing import Any

import numpy as np
import panel  # noqa: F401 - registers Panel's Bokeh models for deserialisation
import structlog
from bokeh.client import ClientSession, connection, pull_session
from bokeh.document.events import ColumnsStreamedEvent, MessageSentEvent, ModelChangedEvent
from bokeh.events import DocumentReady
from bokeh.models import ColumnDataSource
from tornado.ioloop import IOLoop, PeriodicCallback

import livedash.ui.heartbeat_widget  # noqa: F401 - defines the heartbeat's data model

from .analysis import TabRecord
from .scenario import PLOTS

logger = structlog.get_logger(__name__)

TICK_S = 5.0


def _now_ms() -> float:
    return time.time() * 1000.0


def _kind(data: dict[str, Any]) -> str | None:
    if "image" in data:
        return "image"
    if "err" in data:
        return "line"
    if "t" in data and "v" in data:
        return "ts"
    return None


def _finite_sum(values: Any) -> float:
    array = np.asarray(values, dtype=np.float64)
    return float(array[np.isfinite(array)].sum())


def fingerprint(kind: str, data: dict[str, Any]) -> float | None:
    """The page probe's fingerprint, computed from a client-side source's data."""
    if kind == "image":
        images = data.get("image") or []
        return _finite_sum(images[0]) if len(images) else None
    if kind == "line":
        y = data.get("y")
        return _finite_sum(y) if y is not None and len(y) else None
    t = data.get("t")
    return float(np.max(np.asarray(t, dtype=np.float64))) if t is not None and len(t) else None


def _with_origin(origin: str) -> None:
    """Make bokeh.client send ``Origin`` on its websocket request, as browsers do."""
    request = connection.HTTPRequest
    base = getattr(request, "func", request)
    connection.HTTPRequest = functools.partial(base, headers={"Origin": f"http://{origin}"})  # type: ignore[misc]


def _is_colour_limit(event: object) -> bool:
    """A colour mapper's limits: they change with every image update, nothing to scan."""
    return isinstance(event, ModelChangedEvent) and event.attr in ("low", "high")


class ClientTab:
    """One held session and what it received."""

    def __init__(self, session: ClientSession, record: TabRecord) -> None:
        self.session = session
        self.record = record
        self.closed = False
        doc = session.document
        self._heartbeat = next(
            (m for m in doc.models if type(m).__name__.startswith("BrowserHeartbeat")), None
        )
        doc.on_change(self._on_change)
        doc.callbacks.trigger_on_change(MessageSentEvent(doc, "bokeh_event", DocumentReady()))

    def tick(self) -> None:
        if self._heartbeat is not None and not self.closed:
            self._heartbeat.tick = self._heartbeat.tick + 1  # type: ignore[attr-defined]

    def _on_change(self, event: object) -> None:
        record = self.record
        model = getattr(event, "model", None)
        streamed = isinstance(event, ColumnsStreamedEvent)
        replaced = isinstance(event, ModelChangedEvent) and event.attr == "data"
        if not (streamed or replaced):
            if not isinstance(model, ColumnDataSource) and not _is_colour_limit(event):
                self._scan()  # anything else may have added a plot (page body, rebuild)
            return
        if not isinstance(model, ColumnDataSource) or model.id not in record.sources:
            self._scan()
            return
        kind = record.sources[model.id]["kind"]
        data = event.data if streamed else model.data  # type: ignore[attr-defined]
        fp = fingerprint(kind, dict(data))
        if fp is not None:
            now = _now_ms()
            record.draws.append((model.id, now, now, fp))

    def _scan(self) -> None:
        record = self.record
        for model in self.session.document.models:
            if not isinstance(model, ColumnDataSource) or model.id in record.firsts:
                continue
            data = dict(model.data)
            kind = _kind(data)
            fp = fingerprint(kind, data) if kind else None
            if kind is None or fp is None:
                continue
            now = _now_ms()
            shape = list(np.shape(data["image"][0])) if kind == "image" else None
            record.sources[model.id] = {"kind": kind, "shape": shape}
            record.firsts[model.id] = {"seen_ms": now, "painted_ms": now, "fp": fp}


class ClientTabs:
    """N protocol-level tabs on one shared IOLoop (same interface as the browser tabs)."""

    def __init__(self, *, url: str, origin: str, nginx: tuple[str, int]) -> None:
        self._url = url.rstrip("/")
        self._nginx = nginx
        self._origin = origin
        self._loop = IOLoop()
        self._tabs: list[ClientTab | None] = []
        self.records: list[TabRecord] = []
        _with_origin(origin)
        self._ticker = PeriodicCallback(self._tick, TICK_S * 1000)
        self._ticking = False

    def _entry(self) -> str:
        """Ask nginx's entry for a worker, as a new tab does: the ``/w/<i>/`` path."""
        conn = http.client.HTTPConnection(*self._nginx, timeout=30)
        try:
            conn.request("GET", "/", headers={"Host": self._origin})
            response = conn.getresponse()
            response.read()
            location = response.getheader("Location") or ""
        finally:
            conn.close()
        if response.status != 302 or "/w/" not in location:
            raise RuntimeError(f"entry answered {response.status} {location!r}")
        return location[location.index("/w/") :]

    def open(self, count: int, *, timeout_s: float) -> None:
        """Open ``count`` sessions one after the other (each pull waits for its page)."""
        del timeout_s  # a pull has no timeout of its own in bokeh.client
        for index in range(count):
            record = TabRecord(tab=index, request_ms=_now_ms())
            self.records.append(record)
            try:
                path = self._entry()
                record.worker = path.strip("/").rsplit("/", 1)[-1]
                session = pull_session(url=f"{self._url}{path}", io_loop=self._loop)
            except Exception as exc:  # noqa: BLE001 - recorded as a failed tab
                record.error = f"pull: {exc}"
                self._tabs.append(None)
                continue
            record.doc_ms = _now_ms()  # pull_session returns with the document
            tab = ClientTab(session, record)
            self._tabs.append(tab)
            self._loop.add_callback(self._read, tab)
            if not self._ticking:
                # At once: a slow ramp of many pulls must not leave early pages silent.
                self._ticking = True
                self._loop.add_callback(self._ticker.start)

    async def _read(self, tab: ClientTab) -> None:
        conn = tab.session._connection  # private: see the module docstring
        while True:
            message = await conn._pop_message()
            if message is None:
                if not tab.closed:  # not closed by us: the server ended the session
                    tab.record.lost_ms = _now_ms()
                tab.closed = True
                return
            if message.msgtype == "PATCH-DOC":
                tab.record.patch_ms.append(_now_ms())
                tab.session._handle_patch(message)

    def _tick(self) -> None:
        for tab in self._tabs:
            if tab is not None:
                tab.tick()

    def run_for(self, seconds: float) -> None:
        """Let the sessions receive and beat for ``seconds``."""
        self._loop.call_later(seconds, self._loop.stop)
        self._loop.start()

    def wait_started(self, *, timeout_s: float) -> int:
        deadline = time.monotonic() + timeout_s
        while True:
            started = sum(len(r.firsts) >= len(PLOTS) for r in self.records)
            if started == len(self.records) or time.monotonic() > deadline:
                return started
            self.run_for(0.25)

    def refresh(self) -> None:
        """Records are filled as messages arrive; nothing to fetch."""

    def close_tab(self, index: int) -> float:
        tab = self._tabs[index]
        requested = _now_ms()
        if tab is not None and not tab.closed:
            tab.closed = True
            tab.session.close()
            self.run_for(0.05)
        self._tabs[index] = None
        return requested

    def close_all(self) -> float:
        requested = _now_ms()
        for index in self.open_tabs:
            tab = self._tabs[index]
            if tab is not None:
                tab.closed = True
                tab.session.close()
            self._tabs[index] = None
        self.run_for(0.2)
        return requested

    @property
    def open_tabs(self) -> list[int]:
        return [i for i, t in enumerate(self._tabs) if t is not None]

    def shutdown(self) -> None:
        self.close_all()
        self._ticker.stop()
        self._loop.close(all_fds=False)
