"""The small form that adds a grid or changes one (title, rows, columns).

``on_submit(grid_id, title, nrows, ncols)`` (``grid_id`` None for a new grid) returns
an error text (e.g. cells that would no longer fit) or None; the form closes on success.

The form's widgets are built when it first opens (or on the first access to them);
until then :attr:`GridForm.panel` is the same hidden column, empty.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable

import panel as pn

from ...plots.model import MAX_GRID_SIDE, Grid
from .icons import CANCEL, CHECK
from .widgets import html as html_pane
from .widgets import text_button

Submit = Callable[[uuid.UUID | None, str, int, int], str | None]
_SIDES = {str(n): n for n in range(1, MAX_GRID_SIDE + 1)}
_WIDGETS = frozenset(
    {"heading", "title", "nrows", "ncols", "save_button", "cancel_button", "error"}
)


class GridForm:
    """Hidden until :meth:`open_new` or :meth:`open_settings`."""

    def __init__(self, *, on_submit: Submit) -> None:
        self._on_submit = on_submit
        self._grid_id: uuid.UUID | None = None
        self._built = False
        self.panel = pn.Column(
            visible=False,
            margin=(4, 8),
            styles={"border-left": "4px solid #2f5d94", "padding-left": "8px"},
        )

    @property
    def built(self) -> bool:
        """Whether the form's widgets exist yet."""
        return self._built

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        self.heading = html_pane()
        self.title = pn.widgets.TextInput(label="Title", width=260)
        self.nrows = pn.widgets.Select(label="Rows", options=_SIDES, value=2, width=90)
        self.ncols = pn.widgets.Select(label="Columns", options=_SIDES, value=2, width=90)
        self.save_button = text_button("Save", CHECK, color="primary", width=100)
        self.cancel_button = text_button("Cancel", CANCEL, width=100)
        self.error = html_pane(visible=False)
        self.save_button.on_click(lambda _e: self.submit())
        self.cancel_button.on_click(lambda _e: self.close())
        self.panel.objects = [
            self.heading,
            pn.Row(self.title, self.nrows, self.ncols, margin=0),
            pn.Row(self.save_button, self.cancel_button, margin=0),
            self.error,
        ]

    def __getattr__(self, name: str) -> object:
        # The widgets, for callers (and tests) that reach them before the form opened.
        if name in _WIDGETS and not self.__dict__.get("_built", True):
            self._build()
            return getattr(self, name)
        raise AttributeError(name)

    def open_new(self) -> None:
        self._open(None, "New grid", "Plots", 2, 2)

    def open_settings(self, grid: Grid) -> None:
        self._open(grid.grid_id, "Grid settings", grid.title, grid.nrows, grid.ncols)

    def submit(self) -> None:
        title = self.title.value.strip()
        if not title:
            self._fail("Give the grid a title.")
            return
        problem = self._on_submit(self._grid_id, title, self.nrows.value, self.ncols.value)
        if problem:
            self._fail(problem)
        else:
            self.close()

    def close(self) -> None:
        if self.panel.visible:
            self.panel.visible = False

    def _open(self, grid_id: uuid.UUID | None, heading: str, title: str, rows: int, cols: int):
        self._build()
        self._grid_id = grid_id
        self.heading.object = f'<div class="ld-dialog-title">{html.escape(heading)}</div>'
        self.title.value, self.nrows.value, self.ncols.value = title, rows, cols
        self.error.visible = False
        self.panel.visible = True

    def _fail(self, problem: str) -> None:
        self.error.object = f'<div class="ld-error-line">{html.escape(problem)}</div>'
        self.error.visible = True
