"""LazyView: a tab's view is built when the tab is first shown, once, and never after close."""

from __future__ import annotations

import panel as pn
from bokeh.document import Document

from livedash.ui.lazy import LazyView


class CountingView:
    """A view that counts its builds, refreshes and closes."""

    built = 0

    def __init__(self) -> None:
        CountingView.built += 1
        self.refreshes = 0
        self.closed = False
        self.text = pn.pane.HTML("the view")
        self.panel = pn.Column(self.text)

    def refresh(self) -> None:
        self.refreshes += 1

    def close(self) -> None:
        self.closed = True


def lazy() -> LazyView[CountingView]:
    CountingView.built = 0
    return LazyView(CountingView, sizing_mode="stretch_width")


def shown_in_tabs(view: LazyView[CountingView]) -> pn.Tabs:
    """The session page's tabs (dynamic) with ``view`` second, rendered."""
    tabs = pn.Tabs(("First", pn.pane.HTML("first")), ("Lazy", view.panel), dynamic=True)
    doc = Document()
    doc.add_root(tabs.get_root(doc))
    return tabs


def test_nothing_is_built_and_refresh_does_nothing_until_shown() -> None:
    view = lazy()
    view.refresh()
    assert view.view is None
    assert CountingView.built == 0


def test_a_tab_that_is_not_shown_is_not_built() -> None:
    view = lazy()
    shown_in_tabs(view)
    assert CountingView.built == 0


def test_showing_the_tab_builds_the_view_once_and_renders_it() -> None:
    view = lazy()
    tabs = shown_in_tabs(view)
    tabs.active = 1
    assert CountingView.built == 1
    built = view.view
    assert built is not None
    assert built.text._models  # rendered into the document
    tabs.active = 0
    tabs.active = 1
    assert CountingView.built == 1
    assert view.view is built


def test_once_built_refresh_and_close_reach_the_view() -> None:
    view = lazy()
    built = view.build()
    view.refresh()
    view.refresh()
    assert built.refreshes == 2
    view.close()
    view.refresh()
    assert built.closed
    assert built.refreshes == 2


def test_a_view_closed_before_it_was_shown_is_never_built() -> None:
    view = lazy()
    tabs = shown_in_tabs(view)
    view.close()
    tabs.active = 1
    assert CountingView.built == 0
    assert view.view is None
