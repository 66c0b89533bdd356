"""One grid of the Plots tab: its cells placed on a ``pn.GridSpec``, "+" in free places.

:meth:`GridView.set_grid` is called only when the grid's configuration changed. Cells
are kept by ``cell_id`` (a moved or resized cell keeps its plot, only its place in the
GridSpec changes); new cells are made by ``make_cell``, removed ones closed. A change
of the grid's size makes a new GridSpec inside the same wrapper. Every free position
shows an "add a plot" button, which asks the Plots tab to configure a new cell there.

Concurrency: built, refreshed and clicked on the session's UI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import panel as pn

from ...plots.model import Cell, Grid
from .cell import CellView
from .icons import PLUS
from .styles import SLOT_STYLES

ROW_HEIGHT = 420

MakeCell = Callable[[Cell, Grid], CellView]
AddAt = Callable[[uuid.UUID, int, int], None]


class GridView:
    """The cells of one grid (see the module docstring)."""

    def __init__(self, *, grid: Grid, make_cell: MakeCell, add_at: AddAt) -> None:
        self._make_cell = make_cell
        self._add_at = add_at
        self._grid: Grid | None = None
        self._cells: dict[uuid.UUID, CellView] = {}
        self._slots: dict[tuple[int, int], pn.Column] = {}
        self._spec: pn.GridSpec | None = None
        self.panel = pn.Column(sizing_mode="stretch_width", margin=0, name=grid.title)
        self.set_grid(grid)

    @property
    def grid(self) -> Grid:
        if self._grid is None:
            raise RuntimeError("GridView has no grid")
        return self._grid

    @property
    def cells(self) -> dict[uuid.UUID, CellView]:
        return dict(self._cells)

    @property
    def spec(self) -> pn.GridSpec | None:
        return self._spec

    def set_grid(self, grid: Grid) -> list[CellView]:
        """Show ``grid``; the cells made for it (new cell ids)."""
        if grid == self._grid:
            return []
        old = self._grid
        self._grid = grid
        made = []
        wanted = {cell.cell_id: cell for cell in grid.cells}
        for cell_id in [c for c in self._cells if c not in wanted]:
            self._cells.pop(cell_id).close()
        for cell in grid.cells:
            view = self._cells.get(cell.cell_id)
            if view is None:
                view = self._cells[cell.cell_id] = self._make_cell(cell, grid)
                made.append(view)
            else:
                view.set_config(cell, grid)
        resized = old is None or (old.nrows, old.ncols) != (grid.nrows, grid.ncols)
        if resized or self._spec is None:
            self._spec = pn.GridSpec(
                nrows=grid.nrows,
                ncols=grid.ncols,
                mode="override",
                sizing_mode="stretch_width",
                height=grid.nrows * ROW_HEIGHT,
                margin=0,
            )
            self.panel.objects = [self._spec]
        self._spec.objects = self._placed(grid)
        return made

    def rewrap(self) -> None:
        """A new wrapper around the same GridSpec: a tab's title is fixed per object, so a
        renamed grid needs one (its cells' plots are kept)."""
        objects = list(self.panel.objects)
        self.panel = pn.Column(
            *objects, sizing_mode="stretch_width", margin=0, name=self.grid.title
        )

    def close(self) -> None:
        for view in self._cells.values():
            view.close()

    def _placed(self, grid: Grid) -> dict[tuple[int, int, int, int], pn.viewable.Viewable]:
        placed: dict[tuple[int, int, int, int], pn.viewable.Viewable] = {}
        taken: set[tuple[int, int]] = set()
        for cell in grid.cells:
            key = (cell.row, cell.col, cell.row + cell.row_span, cell.col + cell.col_span)
            placed[key] = self._cells[cell.cell_id].panel
            taken |= cell.positions()
        for row in range(grid.nrows):
            for col in range(grid.ncols):
                if (row, col) not in taken:
                    placed[(row, col, row + 1, col + 1)] = self._slot(row, col)
        return placed

    def _slot(self, row: int, col: int) -> pn.Column:
        slot = self._slots.get((row, col))
        if slot is None:
            button = pn.widgets.Button(
                label="Add a plot",
                icon=PLUS,
                color="light",
                align="center",
                width=140,
                description=f"Add a plot at row {row + 1}, column {col + 1}",
            )
            button.on_click(lambda _e, r=row, c=col: self._add_at(self.grid.grid_id, r, c))
            slot = pn.Column(
                pn.layout.VSpacer(),
                button,
                pn.layout.VSpacer(),
                sizing_mode="stretch_both",
                margin=4,
                styles=SLOT_STYLES,
            )
            self._slots[(row, col)] = slot
        return slot
