"""Layout edits from the Plots tab, written to the shared store against what was shown.

Every edit is a function ``GridSet -> GridSet`` (usually one of
:mod:`livedash.plots.editing`) applied to the layout this session shows, and written
with ``write_layout(store, new, base=snapshot)``, so a concurrent edit of the same
grid by another session is detected by the store (its overwrite notice becomes the
Plots tab's banner). The store changes only when the records come back from the topic;
until then further edits build on the layout just written, so two quick edits do not
undo each other.

Errors (an edit that would make cells overlap, an unknown id, a record too large) are
returned as text for the UI to show, never raised into Panel.

Concurrency: called on the session's UI thread only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import structlog
from pydantic import ValidationError

from ...plots import editing
from ...plots.model import Cell, Grid, GridSet, LayerConfig
from ...store import LayoutSnapshot, write_layout
from .protocols import LayoutStore

logger = structlog.get_logger(__name__)

Edit = Callable[[GridSet], GridSet]


class LayoutEditor:
    """Applies edits to the shown layout (see the module docstring)."""

    def __init__(self, *, store: LayoutStore) -> None:
        self._store = store
        self._snapshot: LayoutSnapshot | None = None
        self._written: GridSet | None = None
        self._written_docs: list[str] = []

    @property
    def snapshot(self) -> LayoutSnapshot | None:
        return self._snapshot

    def observe(self, snapshot: LayoutSnapshot | None) -> None:
        """The layout as read from the store (called when the store's version moved).

        While a write of this session has not come back from the topic, the layout it
        wrote stays the base of further edits.
        """
        self._snapshot = snapshot
        if not any(self._store.pending(doc) for doc in self._written_docs):
            self._written, self._written_docs = None, []

    def current(self) -> GridSet:
        """The layout the next edit starts from."""
        if self._written is not None:
            return self._written
        return self._snapshot.gridset if self._snapshot is not None else GridSet()

    def apply(self, edit: Edit) -> str | None:
        """Apply ``edit`` and write the result; an error text, or None on success."""
        try:
            new = edit(self.current())
        except ValidationError as err:
            return _first_error(err)
        except (ValueError, KeyError) as err:
            return str(err).strip("'\"")
        try:
            written = write_layout(self._store, new, base=self._snapshot)  # type: ignore[arg-type]
        except ValueError as err:
            logger.warning("layout_write_refused", error=str(err))
            return f"The layout was not saved: {err}"
        self._written = new
        self._written_docs = [*self._written_docs, *written]
        return None


def place_cell(
    gridset: GridSet, cell_id: uuid.UUID, *, row: int, col: int, row_span: int, col_span: int
) -> GridSet:
    """Cell ``cell_id`` moved and resized in one step (validated once, so a move that
    only fits with the new size is accepted)."""
    for grid in gridset.grids:
        if any(c.cell_id == cell_id for c in grid.cells):
            cells = tuple(
                editing.rebuilt(c, row=row, col=col, row_span=row_span, col_span=col_span)
                if c.cell_id == cell_id
                else c
                for c in grid.cells
            )
            return _with_grid(gridset, editing.rebuilt(grid, cells=cells))
    raise editing.LayoutEditError(f"no cell {cell_id}")


def change_grid(
    gridset: GridSet, grid_id: uuid.UUID, *, title: str, nrows: int, ncols: int
) -> GridSet:
    """Grid ``grid_id`` renamed and/or resized (its cells must still fit)."""
    grid = gridset.grid(grid_id)
    return _with_grid(gridset, editing.rebuilt(grid, title=title, nrows=nrows, ncols=ncols))


def save_layers(
    gridset: GridSet,
    layers: list[LayerConfig],
    *,
    cell_id: uuid.UUID | None = None,
    grid_id: uuid.UUID | None = None,
    row: int = 0,
    col: int = 0,
    replacing: uuid.UUID | None = None,
) -> GridSet:
    """``layers`` saved from the dialog: the first replaces layer ``replacing`` (new id),
    the rest are added to cell ``cell_id``; or all go into a new cell at (row, col) of
    grid ``grid_id``."""
    if not layers:
        raise ValueError("nothing to save")
    if cell_id is not None:
        rest = layers
        if replacing is not None:
            gridset = editing.replace_layer(gridset, replacing, layers[0])
            rest = layers[1:]
        for layer in rest:
            gridset = editing.add_layer(gridset, cell_id, layer)
        return gridset
    if grid_id is None:
        raise ValueError("a new cell needs a grid")
    return editing.add_cell(gridset, grid_id, Cell(row=row, col=col, layers=tuple(layers)))


def _with_grid(gridset: GridSet, grid: Grid) -> GridSet:
    return editing.rebuilt(
        gridset, grids=tuple(grid if g.grid_id == grid.grid_id else g for g in gridset.grids)
    )


def _first_error(err: ValidationError) -> str:
    errors = err.errors()
    if not errors:
        return str(err)
    message = str(errors[0].get("msg", err))
    return message.removeprefix("Value error, ")
