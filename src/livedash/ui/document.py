"""What a session page needs from its Bokeh document and server session, in one place.

:class:`SessionDocument` wraps the Bokeh ``Document`` of one browser session: scheduling
callbacks on it from any thread (:meth:`SessionDocument.schedule`), the session-destroyed
hook, the browser's ``document_ready`` event, the request that opened the page, whether
a websocket is connected, expiring the session after a reap, and the per-refresh batch
(:func:`batched`). Keeping Bokeh's server internals here lets the session's lifecycle
be tested with a fake document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import panel as pn
import structlog
from bokeh.document import Document
from panel.io.state import set_curdoc
from tornado.ioloop import IOLoop

from .updater import ClientIdentity, client_identity

logger = structlog.get_logger(__name__)


class SessionDocument:
    """The Bokeh document of one session (see the module docstring).

    Construct it on the IOLoop thread (Panel's session creation): it remembers that loop.
    """

    def __init__(self, doc: Document, *, loop: IOLoop | None = None) -> None:
        self._doc = doc
        self._loop = loop or IOLoop.current()

    def schedule(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the IOLoop with the document locked; from any thread.

        The hand-over to the IOLoop uses tornado's thread-safe ``add_callback``; only
        there is ``add_next_tick_callback`` called. Calling it from another thread races
        with Panel, which swaps the document's list of held events while it renders or
        holds the document, and the callback is then silently lost.
        """

        def on_loop() -> None:
            try:
                self._doc.add_next_tick_callback(callback)
            except Exception:  # the document may already be destroyed
                logger.warning("session_callback_not_scheduled", exc_info=True)

        self._loop.add_callback(on_loop)

    def add_periodic(self, callback: Callable[[], None], period_s: float) -> Any:
        return self._doc.add_periodic_callback(callback, int(period_s * 1000))

    def add_timeout(self, callback: Callable[[], None], delay_s: float) -> Any:
        return self._doc.add_timeout_callback(callback, int(delay_s * 1000))

    def remove(self, handle: Any) -> None:
        """Cancel a periodic or timeout callback; nothing if it already ran or is gone."""
        if self.destroyed:  # Bokeh removed every callback when it destroyed the document
            return
        try:
            self._doc.callbacks.remove_session_callback(handle)
        except ValueError:  # already ran, or already removed
            pass

    @property
    def destroyed(self) -> bool:
        """Whether Bokeh has destroyed this session (its callbacks are gone)."""
        return bool(getattr(self._doc.session_context, "destroyed", False))

    def on_destroyed(self, callback: Callable[[Any], None]) -> None:
        """What ``pn.state.on_session_destroyed`` does, without needing ``pn.state.curdoc``."""
        self._doc.on_session_destroyed(callback)

    def on_ready(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the browser has rendered the document (BokehJS sends
        ``document_ready`` once per page, after it has fetched and rendered it)."""
        self._doc.on_event("document_ready", lambda _event: callback())

    def client(self) -> ClientIdentity:
        request = getattr(self._doc.session_context, "request", None)
        return client_identity(
            getattr(request, "headers", None) or {},
            getattr(request, "remote_ip", None),
            _panel_user(),
        )

    def connected(self) -> bool:
        """Whether a websocket is open for this session (True when not served)."""
        session = self._server_session()
        return True if session is None else session.connection_count > 0

    def expire(self, *, close_connections: bool) -> None:
        """Ask Bokeh to discard this session at its next check (about a second) once it
        has no websocket, instead of after the connect timeout; with
        ``close_connections``, also close its websockets (best effort: the connection
        list is private to Bokeh's ``ServerSession``). Used after a reap."""
        session = self._server_session()
        if session is None:
            return
        session.request_expiration()
        if not close_connections:
            return
        for connection in list(getattr(session, "_subscribed_connections", ())):
            socket = getattr(connection, "_socket", None)
            if socket is not None:
                socket.close(1001, "session reaped")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Hold events and freeze the model graph for one refresh (see :func:`batched`)."""
        with batched(self._doc):
            yield

    @contextmanager
    def current(self) -> Iterator[None]:
        """Make this document Panel's current one (toasts and widget updates go here)."""
        with set_curdoc(self._doc):
            yield

    def _server_session(self) -> Any:
        return getattr(self._doc.session_context, "session", None)


def _panel_user() -> str | None:
    try:
        return pn.state.user
    except Exception:  # noqa: BLE001 - no authentication configured, or no cookies
        return None


@contextmanager
def batched(doc: Document) -> Iterator[None]:
    """``pn.io.hold(doc)`` plus ``doc.models.freeze()``, without the idle cost.

    Inside, every change reaches the browser as one message when the block ends, and the
    model graph is recomputed at most once. Bokeh's own ``freeze()`` recomputes the whole
    graph when it ends even if nothing changed: about 0.1 s for the ~500 models of a
    session page, every refresh, which saturates the IOLoop with a handful of sessions.
    Here the graph is recomputed only if a change asked for it, which Bokeh signals by
    calling ``doc.models.invalidate()`` (a property that gained or lost model references).

    This uses Bokeh's freeze counter (``_push_freeze``, ``_freeze_count``), as Panel's
    own ``freeze_doc`` does; without it, it falls back to the plain ``freeze()``.
    """
    models = doc.models
    if not hasattr(models, "_push_freeze") or not hasattr(models, "_freeze_count"):
        with pn.io.hold(doc), models.freeze():
            yield
        return
    invalidated = False

    def note_invalidated() -> None:
        nonlocal invalidated
        invalidated = True

    models._push_freeze()
    models.invalidate = note_invalidated  # shadows the method while the batch lasts
    try:
        with pn.io.hold(doc):
            yield
    finally:
        del models.invalidate
        models._freeze_count -= 1
        if invalidated:
            models.invalidate()
