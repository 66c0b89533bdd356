"""A session view built the first time its tab is shown.

The session page's tabs are ``dynamic`` (:meth:`livedash.ui.page.SessionPage.show_tabs`):
Bokeh renders only the active tab. :class:`LazyView` goes one step further for a tab
that is not shown first: its view (the Panel objects, their widgets and forms) is not
even constructed until Panel renders the tab, when the user opens it. Its
:attr:`~LazyView.panel` is an empty column that builds the view and takes its panel as
its one child the first time Panel makes its Bokeh model (or when
:meth:`LazyView.build` is called).

Until then :meth:`~LazyView.refresh` does nothing (there is nothing to update: a view
reads the current state when it is built) and :meth:`~LazyView.close` only marks it
closed, so a view never built is never built after its session closed.

Concurrency: like every view, built, refreshed and closed on the session's UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import panel as pn


class TabView(Protocol):
    @property
    def panel(self) -> Any: ...

    def refresh(self) -> None: ...

    def close(self) -> None: ...


V = TypeVar("V", bound=TabView)


class LazyView(Generic[V]):
    """The view ``build()`` returns, built on first render (see the module docstring)."""

    def __init__(self, build: Callable[[], V], **layout: Any) -> None:
        self._build = build
        self._view: V | None = None
        self._closed = False
        self.panel = _FilledOnRender(self._render, margin=0, **layout)

    @property
    def view(self) -> V | None:
        """The view, once built."""
        return self._view

    def build(self) -> V:
        """The view, built now if it was not yet."""
        if self._view is None:
            self._view = self._build()
            self.panel.fill()
        return self._view

    def refresh(self) -> None:
        if self._view is not None and not self._closed:
            self._view.refresh()

    def close(self) -> None:
        self._closed = True
        if self._view is not None:
            self._view.close()

    def _render(self) -> list[Any]:
        if self._closed and self._view is None:
            return []
        if self._view is None:
            self._view = self._build()
        return [self._view.panel]


class _FilledOnRender(pn.Column):
    """A column whose children are made by ``fill()`` just before its first model."""

    def __init__(self, fill: Callable[[], list[Any]], **params: Any) -> None:
        super().__init__(**params)
        self._fill: Callable[[], list[Any]] | None = fill

    def fill(self) -> None:
        fill, self._fill = self._fill, None
        if fill is not None:
            self.objects = fill()

    def _get_model(self, doc: Any, root: Any = None, parent: Any = None, comm: Any = None) -> Any:
        self.fill()
        return super()._get_model(doc, root, parent, comm)
