"""Edits from the Plots tab go to the shared store; what comes back is what is shown."""

from __future__ import annotations

from livedash.plots.model import PlotterKind
from livedash.plots.subscription import data_key
from livedash.ui.plots.dialog_model import build_layers
from livedash.ui.plots.widgets import click

from .data import MONITOR, PANEL, wire
from .harness import World, cell_with, layer, one_grid, ref

IMAGE = ref(PANEL, "panel_0")


def test_editing_a_layer_replaces_it_by_a_layer_with_a_new_id(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.refresh()
    cell = world.cell(config.layer_id)
    click(cell.edit_button)
    dialog = world.view.dialog
    assert dialog.is_open
    dialog.windowing.value = "per_update"
    click(dialog.save_button)
    assert not dialog.is_open
    world.refresh()
    (_grid, _cell, new), *_ = list(world.layout().layers())
    assert new.layer_id != config.layer_id
    assert new.roles["primary"].output_name == "current"
    assert world.view.cell_of(config.layer_id) is None
    assert world.view.cell_of(new.layer_id) is cell


def test_an_edited_layer_subscribes_to_its_new_output(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.start(PANEL, "panel_0")
    world.refresh()
    world.view.edit_layers(world.cell(config.layer_id).cell_id)
    world.view.dialog.windowing.value = "per_update"
    world.view.dialog.save()
    world.refresh()
    assert data_key(ref(PANEL, "panel_0", "current")) in (world.data.interested or ())


def test_a_free_place_opens_the_dialog_and_saving_makes_a_cell_there(world: World) -> None:
    world.write(one_grid())
    world.refresh()
    grid_view = next(iter(world.view.grids.values()))
    slot = grid_view.spec.objects[(1, 1, 2, 2)]  # type: ignore[union-attr]
    click(slot.objects[1])
    dialog = world.view.dialog
    dialog.workflow.value = str(MONITOR)
    dialog.sources.value = ["monitor1", "monitor2"]
    click(dialog.save_button)
    world.refresh()
    (cell,) = world.layout().grids[0].cells
    assert (cell.row, cell.col) == (1, 1)
    assert [la.roles["primary"].source_name for la in cell.layers] == ["monitor1", "monitor2"]


def test_an_invalid_plotter_params_choice_is_shown_not_saved(world: World) -> None:
    world.write(one_grid())
    world.refresh()
    world.view.dialog.open_new(world.view.dialog.target)
    world.view.dialog.params.x_fixed.value = True
    click(world.view.dialog.save_button)
    assert world.view.dialog.is_open
    assert world.view.dialog.error.visible
    assert "fixed range needs both ends" in world.view.dialog.error.object


def test_removing_a_cell_asks_first(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.refresh()
    cell = world.cell(config.layer_id)
    click(cell.remove_button)
    world.refresh()
    assert len(world.layout().grids[0].cells) == 1
    click(cell.confirm.confirm_button)
    world.refresh()
    assert world.layout().grids[0].cells == ()
    assert world.view.cell_of(config.layer_id) is None


def test_moving_a_cell_keeps_its_plot(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.refresh()
    cell = world.cell(config.layer_id)
    pane = cell.plot_holder.objects[0]
    click(cell.arrange_button)
    cell.arrange.row.value, cell.arrange.col_span.value = 1, 2
    click(cell.arrange.apply_button)
    world.refresh()
    (moved,) = world.layout().grids[0].cells
    assert (moved.row, moved.col, moved.col_span) == (1, 0, 2)
    assert world.cell(config.layer_id) is cell
    assert cell.plot_holder.objects[0] is pane
    assert world.view.stats()["builds"] == 1


def test_a_move_onto_another_cell_is_refused_with_the_reason(world: World) -> None:
    first, second = layer(IMAGE), layer(ref(MONITOR, "monitor1"))
    world.write(one_grid(cell_with(first), cell_with(second, col=1)))
    world.refresh()
    cell = world.cell(first.layer_id)
    click(cell.arrange_button)
    cell.arrange.col.value = 1
    click(cell.arrange.apply_button)
    assert cell.arrange.panel.visible
    assert "overlap" in cell.arrange.error.object


def test_two_quick_edits_both_survive(world: World) -> None:
    world.write(one_grid())
    world.refresh()
    grid_id = world.layout().grids[0].grid_id
    for column in (0, 1):
        world.view._add_at(grid_id, 0, column)
        world.view.dialog.save()
    world.refresh()
    assert len(world.layout().grids[0].cells) == 2


def test_a_new_grid_becomes_a_tab(world: World) -> None:
    world.write(one_grid(title="Detectors"))
    world.refresh()
    click(world.view.new_grid_button)
    form = world.view.grid_form
    form.title.value, form.nrows.value, form.ncols.value = "Monitors", 1, 3
    click(form.save_button)
    world.refresh()
    assert [g.title for g in world.layout().grids] == ["Detectors", "Monitors"]
    assert world.view.tabs._names == ["Detectors", "Monitors"]


def test_renaming_a_grid_renames_its_tab_and_keeps_its_plots(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config), title="Detectors"))
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.refresh()
    cell = world.cell(config.layer_id)
    click(world.view.grid_settings_button)
    world.view.grid_form.title.value = "Panel detectors"
    click(world.view.grid_form.save_button)
    world.refresh()
    assert world.view.tabs._names == ["Panel detectors"]
    assert world.cell(config.layer_id) is cell
    assert world.view.stats()["builds"] == 1


def test_removing_a_grid_asks_first(world: World) -> None:
    world.write(one_grid(title="Detectors"))
    world.refresh()
    click(world.view.remove_grid_button)
    click(world.view.confirm.confirm_button)
    world.refresh()
    assert world.layout().grids == ()
    assert world.view.empty.visible
    assert "No grids yet" in world.view.empty.object


def test_a_correlation_choice_adds_an_x_axis_role(world: World) -> None:
    world.write(one_grid())
    world.refresh()
    dialog = world.view.dialog
    dialog.open_new(dialog.target)
    dialog.workflow.value = str(MONITOR)
    dialog.view.value = "total_counts"
    dialog.plotter.value = PlotterKind.CORRELATION
    assert dialog.axes.visible
    label = next(k for k in dialog.x_axis.options if k.startswith("Total counts / panel_0"))
    dialog.x_axis.value = dialog.x_axis.options[label]
    (built,) = build_layers(world.instrument, dialog.choice())
    assert built.plotter is PlotterKind.CORRELATION
    assert built.roles["x_axis"].output_name == "total_counts"
