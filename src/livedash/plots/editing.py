"""Edits of a :class:`~livedash.plots.model.GridSet`, each returning a new, validated set.

Every function leaves its argument untouched and validates the result exactly as the
constructors do, so an edit that would make cells overlap, leave the grid, or reuse an
id raises ``ValueError`` (pydantic's ``ValidationError`` is one). Unknown ids raise
:class:`LayoutEditError` (a ``KeyError``) naming the id.

Editing a layer never changes it in place: :func:`replace_layer` swaps it for a layer
with a new ``layer_id``, so subscriptions and presenters of the old layer are dropped
and the new one starts clean.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from .model import Cell, Grid, GridSet, LayerConfig

M = TypeVar("M", bound=BaseModel)


class LayoutEditError(KeyError):
    """An edit names a grid, cell or layer the set does not have."""


def rebuilt(model: M, **changes: Any) -> M:
    """``model`` with ``changes`` applied, validated by its constructor.

    (``model_copy(update=...)`` would skip validation.)
    """
    return type(model)(**{**dict(model), **changes})


def add_grid(gridset: GridSet, grid: Grid) -> GridSet:
    """``grid`` appended to the set."""
    return rebuilt(gridset, grids=(*gridset.grids, grid))


def remove_grid(gridset: GridSet, grid_id: uuid.UUID) -> GridSet:
    """The set without grid ``grid_id``."""
    if not _has_grid(gridset, grid_id):
        raise _missing("grid", grid_id)
    return rebuilt(gridset, grids=tuple(g for g in gridset.grids if g.grid_id != grid_id))


def add_cell(gridset: GridSet, grid_id: uuid.UUID, cell: Cell) -> GridSet:
    """``cell`` added to grid ``grid_id``."""
    if not _has_grid(gridset, grid_id):
        raise _missing("grid", grid_id)
    return _map_grids(
        gridset, lambda g: rebuilt(g, cells=(*g.cells, cell)) if g.grid_id == grid_id else g
    )


def remove_cell(gridset: GridSet, cell_id: uuid.UUID) -> GridSet:
    """The set without cell ``cell_id`` (and its layers)."""
    _find_cell(gridset, cell_id)
    return _map_grids(
        gridset, lambda g: rebuilt(g, cells=tuple(c for c in g.cells if c.cell_id != cell_id))
    )


def move_cell(gridset: GridSet, cell_id: uuid.UUID, *, row: int, col: int) -> GridSet:
    """Cell ``cell_id`` with its top-left corner at (``row``, ``col``)."""
    return _map_cell(gridset, cell_id, lambda c: rebuilt(c, row=row, col=col))


def resize_cell(gridset: GridSet, cell_id: uuid.UUID, *, row_span: int, col_span: int) -> GridSet:
    """Cell ``cell_id`` spanning ``row_span`` x ``col_span`` positions."""
    return _map_cell(gridset, cell_id, lambda c: rebuilt(c, row_span=row_span, col_span=col_span))


def add_layer(gridset: GridSet, cell_id: uuid.UUID, layer: LayerConfig) -> GridSet:
    """``layer`` drawn on top of the layers of cell ``cell_id``."""
    return _map_cell(gridset, cell_id, lambda c: rebuilt(c, layers=(*c.layers, layer)))


def remove_layer(gridset: GridSet, layer_id: uuid.UUID) -> GridSet:
    """The set without layer ``layer_id``."""
    cell = _cell_of_layer(gridset, layer_id)
    return _map_cell(
        gridset,
        cell.cell_id,
        lambda c: rebuilt(c, layers=tuple(la for la in c.layers if la.layer_id != layer_id)),
    )


def replace_layer(gridset: GridSet, layer_id: uuid.UUID, new: LayerConfig) -> GridSet:
    """Layer ``layer_id`` replaced, in the same place, by ``new``, which needs a new id."""
    if new.layer_id == layer_id:
        raise ValueError(f"a replacing layer needs a new layer_id, got the old one {layer_id}")
    cell = _cell_of_layer(gridset, layer_id)
    return _map_cell(
        gridset,
        cell.cell_id,
        lambda c: rebuilt(
            c, layers=tuple(new if la.layer_id == layer_id else la for la in c.layers)
        ),
    )


def edit_layer(
    gridset: GridSet, layer_id: uuid.UUID, **changes: Any
) -> tuple[GridSet, LayerConfig]:
    """Layer ``layer_id`` with ``changes``, as a new layer with a fresh id, and that layer."""
    if "layer_id" in changes:
        raise ValueError("edit_layer mints the new layer_id itself")
    new = rebuilt(gridset.layer(layer_id), layer_id=uuid.uuid4(), **changes)
    return replace_layer(gridset, layer_id, new), new


def _has_grid(gridset: GridSet, grid_id: uuid.UUID) -> bool:
    return any(g.grid_id == grid_id for g in gridset.grids)


def _find_cell(gridset: GridSet, cell_id: uuid.UUID) -> Cell:
    for grid in gridset.grids:
        for cell in grid.cells:
            if cell.cell_id == cell_id:
                return cell
    raise _missing("cell", cell_id)


def _cell_of_layer(gridset: GridSet, layer_id: uuid.UUID) -> Cell:
    for _grid, cell, layer in gridset.layers():
        if layer.layer_id == layer_id:
            return cell
    raise _missing("layer", layer_id)


def _map_grids(gridset: GridSet, change: Callable[[Grid], Grid]) -> GridSet:
    return rebuilt(gridset, grids=tuple(change(g) for g in gridset.grids))


def _map_cell(gridset: GridSet, cell_id: uuid.UUID, change: Callable[[Cell], Cell]) -> GridSet:
    _find_cell(gridset, cell_id)
    return _map_grids(
        gridset,
        lambda g: rebuilt(
            g, cells=tuple(change(c) if c.cell_id == cell_id else c for c in g.cells)
        ),
    )


def _missing(what: str, item: uuid.UUID) -> LayoutEditError:
    return LayoutEditError(f"no {what} {item}")
