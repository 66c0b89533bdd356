"""Layout edits: applied to the shown layout, written against its snapshot."""

from __future__ import annotations

import uuid

from livedash.plots import editing
from livedash.plots.model import Cell, Grid, GridSet
from livedash.store import read_layout
from livedash.ui.plots.edits import LayoutEditor, place_cell, save_layers
from tests.store.fakes import make_broker, make_reader

from .data import MONITOR, PANEL
from .harness import layer, ref


def two_cells() -> tuple[GridSet, Cell, Cell]:
    left = Cell(row=0, col=0, layers=(layer(ref(PANEL, "panel_0")),))
    right = Cell(row=0, col=1, layers=(layer(ref(MONITOR, "monitor1")),))
    return GridSet(grids=(Grid(title="G", nrows=2, ncols=2, cells=(left, right)),)), left, right


def test_a_move_that_fits_only_with_the_new_size_is_one_edit() -> None:
    gridset, left, right = two_cells()
    gridset = editing.remove_cell(gridset, left.cell_id)
    moved = place_cell(gridset, right.cell_id, row=0, col=0, row_span=2, col_span=2)
    (cell,) = moved.grids[0].cells
    assert (cell.row, cell.col, cell.row_span, cell.col_span) == (0, 0, 2, 2)


def test_replacing_a_layer_keeps_its_place_and_adds_the_others() -> None:
    gridset, left, _right = two_cells()
    old = left.layers[0]
    new = [layer(ref(PANEL, "panel_0", "current")), layer(ref(PANEL, "panel_0"))]
    edited = save_layers(gridset, new, cell_id=left.cell_id, replacing=old.layer_id)
    cell = edited.grids[0].cells[0]
    assert [la.layer_id for la in cell.layers] == [new[0].layer_id, new[1].layer_id]


def test_editor_errors_are_text_and_nothing_is_written() -> None:
    broker = make_broker()
    reader = make_reader(broker)
    gridset, left, _right = two_cells()
    editor = LayoutEditor(store=reader.store)
    editor.observe(None)
    assert editor.apply(lambda _g: gridset) is None
    reader.feed()
    editor.observe(read_layout(reader.store))
    before = len(broker.messages("dummy_livedash_config"))
    problem = editor.apply(
        lambda g: place_cell(g, left.cell_id, row=0, col=1, row_span=1, col_span=1)
    )
    assert problem is not None
    assert "overlap" in problem
    assert editor.apply(lambda g: editing.remove_cell(g, uuid.uuid4())) is not None
    assert len(broker.messages("dummy_livedash_config")) == before


def test_an_edit_builds_on_a_write_that_has_not_come_back() -> None:
    reader = make_reader(make_broker())
    gridset, left, right = two_cells()
    editor = LayoutEditor(store=reader.store)
    editor.apply(lambda _g: gridset)
    editor.observe(read_layout(reader.store))  # another document moved the store meanwhile
    editor.apply(lambda g: editing.remove_cell(g, left.cell_id))
    reader.feed()
    snapshot = read_layout(reader.store)
    assert snapshot is not None
    assert [c.cell_id for c in snapshot.gridset.grids[0].cells] == [right.cell_id]
    editor.observe(snapshot)
    assert editor.current() == snapshot.gridset
