from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from livedash.plots import editing
from livedash.plots.editing import LayoutEditError
from livedash.plots.model import GridSet

from .factories import cell, grid, layer


def one_grid() -> tuple[GridSet, uuid.UUID, uuid.UUID, uuid.UUID]:
    first = layer()
    target = cell(0, 0, first)
    built = grid(target, nrows=2, ncols=2)
    return GridSet(grids=(built,)), built.grid_id, target.cell_id, first.layer_id


def test_add_cell_returns_a_new_set_and_leaves_the_old_one() -> None:
    gridset, grid_id, _cell_id, _layer_id = one_grid()
    edited = editing.add_cell(gridset, grid_id, cell(1, 1))
    assert len(edited.grid(grid_id).cells) == 2
    assert len(gridset.grid(grid_id).cells) == 1


def test_overlapping_new_cell_is_rejected() -> None:
    gridset, grid_id, _cell_id, _layer_id = one_grid()
    with pytest.raises(ValueError, match="overlap"):
        editing.add_cell(gridset, grid_id, cell(0, 0))


def test_move_and_resize_cell_are_validated() -> None:
    gridset, _grid_id, cell_id, _layer_id = one_grid()
    moved = editing.move_cell(gridset, cell_id, row=1, col=1)
    assert (moved.grids[0].cells[0].row, moved.grids[0].cells[0].col) == (1, 1)
    with pytest.raises(ValueError, match="does not fit"):
        editing.resize_cell(moved, cell_id, row_span=2, col_span=1)
    resized = editing.resize_cell(gridset, cell_id, row_span=2, col_span=2)
    assert resized.grids[0].cells[0].positions() == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_remove_cell_drops_its_layers() -> None:
    gridset, _grid_id, cell_id, layer_id = one_grid()
    edited = editing.remove_cell(gridset, cell_id)
    with pytest.raises(KeyError):
        edited.layer(layer_id)


def test_add_and_remove_layer() -> None:
    gridset, _grid_id, cell_id, layer_id = one_grid()
    extra = layer()
    edited = editing.add_layer(gridset, cell_id, extra)
    assert [la.layer_id for la in edited.grids[0].cells[0].layers] == [layer_id, extra.layer_id]
    assert [
        la.layer_id for la in editing.remove_layer(edited, layer_id).grids[0].cells[0].layers
    ] == [extra.layer_id]


def test_replace_layer_needs_a_new_id() -> None:
    gridset, _grid_id, _cell_id, layer_id = one_grid()
    with pytest.raises(ValueError, match="new layer_id"):
        editing.replace_layer(gridset, layer_id, layer(layer_id=layer_id))


def test_edit_layer_mints_a_new_id_in_the_same_place() -> None:
    gridset, _grid_id, _cell_id, layer_id = one_grid()
    edited, new = editing.edit_layer(gridset, layer_id, title="Renamed")
    assert new.layer_id != layer_id
    assert new.title == "Renamed"
    assert edited.grids[0].cells[0].layers == (new,)


def test_add_and_remove_grid() -> None:
    gridset, grid_id, _cell_id, _layer_id = one_grid()
    extra = grid(title="Second")
    assert [g.title for g in editing.add_grid(gridset, extra).grids] == ["Grid", "Second"]
    assert editing.remove_grid(gridset, grid_id).grids == ()


@pytest.mark.parametrize(
    "edit",
    [
        lambda gs: editing.remove_grid(gs, uuid.uuid4()),
        lambda gs: editing.add_cell(gs, uuid.uuid4(), cell(1, 1)),
        lambda gs: editing.remove_cell(gs, uuid.uuid4()),
        lambda gs: editing.move_cell(gs, uuid.uuid4(), row=0, col=0),
        lambda gs: editing.add_layer(gs, uuid.uuid4(), layer()),
        lambda gs: editing.remove_layer(gs, uuid.uuid4()),
        lambda gs: editing.replace_layer(gs, uuid.uuid4(), layer()),
    ],
)
def test_unknown_ids_are_named(edit: Callable[[GridSet], GridSet]) -> None:
    gridset, *_ = one_grid()
    with pytest.raises(LayoutEditError, match="no "):
        edit(gridset)


def test_reusing_a_layer_id_elsewhere_is_rejected() -> None:
    gridset, grid_id, _cell_id, layer_id = one_grid()
    with pytest.raises(ValueError, match="layer id"):
        editing.add_cell(gridset, grid_id, cell(1, 1, layer(layer_id=layer_id)))
