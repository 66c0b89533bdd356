"""The Plots tab's notice when another session overwrote this session's layout edit.

The notice's widgets are built the first time there is something to show (or on the
first access to them); until then :attr:`ConflictBanner.panel` is the same hidden row,
empty.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import panel as pn

from ...plots.model import GridSet
from ...store import GRIDS_DOC, Conflict
from .icons import CHECK
from .widgets import html as html_pane
from .widgets import set_if_changed, text_button

GRID_PREFIX = "grid/"


def conflict_text(doc: str, conflict: Conflict, gridset: GridSet | None) -> str:
    """``Your change to grid “Detectors” was overwritten by <writer> at <time> UTC.``"""
    if doc == GRIDS_DOC:
        what = "the list of grids"
    elif doc.startswith(GRID_PREFIX):
        title = _grid_title(doc.removeprefix(GRID_PREFIX), gridset)
        what = f"grid “{title}”" if title else "a grid"
    else:
        what = doc
    return f"Your change to {what} was {conflict.message}."


class ConflictBanner:
    """Shows the store's overwrite notices; "OK" dismisses them all."""

    def __init__(self, *, dismiss: Callable[[str], None]) -> None:
        self._dismiss = dismiss
        self._shown: dict[str, Conflict] = {}
        self._widgets: tuple[pn.pane.HTML, pn.widgets.Button] | None = None
        self.panel = pn.Row(visible=False, sizing_mode="stretch_width", margin=(4, 8))

    @property
    def built(self) -> bool:
        """Whether the notice's widgets exist yet."""
        return self._widgets is not None

    @property
    def text(self) -> pn.pane.HTML:
        return self._build()[0]

    @property
    def ok_button(self) -> pn.widgets.Button:
        return self._build()[1]

    def _build(self) -> tuple[pn.pane.HTML, pn.widgets.Button]:
        if self._widgets is None:
            text = html_pane(sizing_mode="stretch_width")
            ok_button = text_button("OK", CHECK, width=80)
            ok_button.on_click(lambda _e: self.dismiss())
            self._widgets = (text, ok_button)
            self.panel.objects = [text, ok_button]
        return self._widgets

    @property
    def conflicts(self) -> dict[str, Conflict]:
        return dict(self._shown)

    def show(self, conflicts: Mapping[str, Conflict], gridset: GridSet | None) -> None:
        conflicts = dict(conflicts)
        if conflicts == self._shown:
            return
        self._shown = conflicts
        lines = "".join(
            f"<div>{html.escape(conflict_text(doc, c, gridset))}</div>"
            for doc, c in sorted(conflicts.items())
        )
        text = f'<div class="ld-banner"><div>{lines}</div></div>' if lines else ""
        if text or self.built:
            set_if_changed(self.text, "object", text)
        set_if_changed(self.panel, "visible", bool(lines))

    def dismiss(self) -> None:
        for doc in list(self._shown):
            self._dismiss(doc)


def _grid_title(suffix: str, gridset: GridSet | None) -> str:
    for grid in gridset.grids if gridset is not None else ():
        if str(grid.grid_id) == suffix:
            return grid.title
    return ""
