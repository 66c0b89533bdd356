"""Hidden parts of the Plots tab (dialog, grid form, question bars, move/resize bars,
conflict notice) are built on first use: a new page holds none of their widgets, and
each works as before once opened."""

from __future__ import annotations

from typing import Any

import panel as pn

from livedash.ui.plots.cell import CellView
from livedash.ui.plots.widgets import click

from .data import MONITOR, PANEL
from .harness import World, cell_with, layer, one_grid, ref, rendered

IMAGE = ref(PANEL, "panel_0")


def hidden_parts(world: World) -> dict[str, Any]:
    view = world.view
    parts: dict[str, Any] = {
        "dialog": view.dialog,
        "grid_form": view.grid_form,
        "confirm": view.confirm,
        "banner": view.banner,
    }
    for grid in view.grids.values():
        for cell_id, cell in grid.cells.items():
            parts[f"confirm {cell_id}"] = cell.confirm
            parts[f"arrange {cell_id}"] = cell.arrange
    return parts


def two_cells(world: World) -> tuple[CellView, CellView]:
    first, second = layer(IMAGE), layer(ref(MONITOR, "monitor1"))
    world.write(one_grid(cell_with(first), cell_with(second, col=1)))
    world.refresh()
    return world.cell(first.layer_id), world.cell(second.layer_id)


def test_a_new_page_builds_none_of_its_hidden_parts(world: World) -> None:
    two_cells(world)
    parts = hidden_parts(world)
    assert len(parts) == 8
    assert {name: part.built for name, part in parts.items()} == dict.fromkeys(parts, False)
    for part in parts.values():
        assert part.panel.objects == []
        assert not part.panel.visible
    doc = rendered(world.view)
    kinds = {type(model).__name__ for model in doc.models}
    assert not kinds & {"CustomSelect", "Select", "TextInput", "Spinner", "RadioButtonGroup"}


def test_opening_the_dialog_builds_it_once_and_shows_its_widgets(world: World) -> None:
    cell, _ = two_cells(world)
    dialog = world.view.dialog
    click(cell.add_button)
    assert dialog.built
    assert dialog.is_open
    widgets = list(dialog.panel.objects)
    assert dialog.workflow in widgets
    assert dialog.workflow.value
    dialog.close()
    click(cell.add_button)
    assert dialog.panel.objects == widgets  # the same widgets, not built again
    assert not world.view.grid_form.built


def test_the_dialog_can_be_driven_before_it_was_ever_opened(world: World) -> None:
    two_cells(world)
    dialog = world.view.dialog
    assert not dialog.built
    dialog.workflow.value = str(MONITOR)  # the first access builds it, hidden
    assert dialog.built
    assert not dialog.is_open
    assert dialog.sources.options == ["monitor1", "monitor2"]


def test_asking_builds_only_that_cells_question(world: World) -> None:
    first, second = two_cells(world)
    click(first.remove_button)
    assert first.confirm.built
    assert first.confirm.panel.visible
    assert "Remove this cell" in first.confirm.message.object
    assert not second.confirm.built
    click(first.confirm.cancel_button)
    assert not first.confirm.panel.visible
    assert not first.arrange.built


def test_the_move_bar_is_built_when_opened(world: World) -> None:
    first, _ = two_cells(world)
    click(first.arrange_button)
    arrange = first.arrange
    assert arrange.built
    assert arrange.panel.visible
    assert arrange.row.options == {"1": 0, "2": 1}
    assert arrange.row in arrange.panel.objects[0].objects


def test_the_grid_form_is_built_when_opened(world: World) -> None:
    two_cells(world)
    form = world.view.grid_form
    click(world.view.new_grid_button)
    assert form.built
    assert form.panel.visible
    assert form.title.value == "Plots"
    assert isinstance(form.panel.objects[1], pn.Row)


def test_a_closed_part_that_was_never_built_stays_unbuilt(world: World) -> None:
    cell, _ = two_cells(world)
    world.view.close()
    assert not world.view.dialog.built
    assert not world.view.confirm.built
    assert not cell.confirm.built
