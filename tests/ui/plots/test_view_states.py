"""What a cell shows for each layer state, and how layers of one cell are combined."""

from __future__ import annotations

from livedash.protocol.status import JobState
from livedash.ui.plots import compose
from livedash.ui.plots.presenters import ImagePresenter

from .data import LAYERS, MONITOR, PANEL, wire
from .harness import World, cell_with, layer, one_grid, ref

IMAGE = ref(PANEL, "panel_0")


def shown(world: World, config) -> str:
    return world.cell(config.layer_id).placeholder.object


def test_a_layer_of_a_stopped_workflow_says_where_to_start_it(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.refresh()
    text = shown(world, config)
    assert "Waiting for workflow Panel 0 to start" in text
    assert "Start it in the Workflows tab." in text
    assert "waiting for job" in world.cell(config.layer_id).header.object


def test_a_running_workflow_without_data_waits_for_data(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.start(PANEL, "panel_0")
    world.refresh()
    assert "Waiting for data…" in shown(world, config)


def test_a_stopped_workflow_keeps_the_last_plot_under_a_stopped_badge(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.refresh()
    cell = world.cell(config.layer_id)
    pane = cell.plot_holder.objects[0]
    world.jobs.stop(PANEL)
    world.refresh()
    assert cell.plot_holder.visible
    assert cell.plot_holder.objects[0] is pane
    assert cell.badge.visible
    assert "stopped" in cell.badge.object
    assert cell.plot_holder.styles == {"opacity": "0.7"}


def test_a_restart_drops_the_stopped_badge(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.refresh()
    world.jobs.stop(PANEL)
    world.refresh()
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 1))
    world.refresh()
    cell = world.cell(config.layer_id)
    assert not cell.badge.visible
    assert cell.plot_holder.styles == {}


def test_a_job_error_shows_the_backends_text(world: World) -> None:
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.start(PANEL, "panel_0")
    world.jobs.set_job(PANEL, "panel_0", JobState.ERROR, "detector offline")
    world.refresh()
    assert "detector offline" in shown(world, config)
    assert "ld-tone-error" in shown(world, config)


def test_an_empty_cell_says_so(world: World) -> None:
    world.write(one_grid(cell_with()))
    world.refresh()
    (cell,) = next(iter(world.view.grids.values())).cells.values()
    assert "Empty cell" in cell.placeholder.object


def test_two_line_layers_share_one_figure_with_a_legend(world: World) -> None:
    first, second = layer(ref(MONITOR, "monitor1")), layer(ref(MONITOR, "monitor2"))
    world.write(one_grid(cell_with(first, second)))
    world.start(MONITOR, "monitor1", "monitor2")
    world.put(first.roles["primary"], wire(MONITOR, "monitor1", "cumulative", 0))
    world.put(second.roles["primary"], wire(MONITOR, "monitor2", "cumulative", 0))
    world.refresh()
    cell = world.cell(first.layer_id)
    one, two = cell.plot.presenters
    assert one.figure is two.figure  # type: ignore[attr-defined]
    labels = [item.label["value"] for item in one.figure.legend[0].items]  # type: ignore[attr-defined]
    assert labels == ["Beam monitor: monitor1 (Histogram)", "Beam monitor: monitor2 (Histogram)"]


def test_a_layer_that_cannot_be_overlaid_is_listed_beside_the_plot(world: World) -> None:
    image, slices = layer(IMAGE), layer(ref(LAYERS, "panel_0"))
    world.write(one_grid(cell_with(image, slices)))
    world.start(PANEL, "panel_0")
    world.start(LAYERS, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.put(slices.roles["primary"], wire(LAYERS, "panel_0", "cumulative", 0))
    world.refresh()
    cell = world.cell(image.layer_id)
    assert len(cell.plot.presenters) == 1
    assert cell.notes.visible
    assert "cannot be drawn over" in cell.notes.object


def test_a_waiting_layer_beside_a_plot_is_noted(world: World) -> None:
    image, slices = layer(IMAGE), layer(ref(LAYERS, "panel_0"))
    world.write(one_grid(cell_with(image, slices)))
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.refresh()
    cell = world.cell(image.layer_id)
    assert "Waiting for workflow Panel 0 Layers to start" in cell.notes.object


def test_a_plot_that_cannot_be_drawn_says_why_and_the_others_still_draw(
    world: World, monkeypatch
) -> None:
    real = compose.build_presenter

    def failing(state, **kwargs):
        if state.kind.value == "slicer":
            raise RuntimeError("no canvas for you")
        return real(state, **kwargs)

    monkeypatch.setattr(compose, "build_presenter", failing)
    image, slices = layer(IMAGE), layer(ref(LAYERS, "panel_0"))
    world.write(one_grid(cell_with(image), cell_with(slices, col=1)))
    world.start(PANEL, "panel_0")
    world.start(LAYERS, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.put(slices.roles["primary"], wire(LAYERS, "panel_0", "cumulative", 0))
    world.refresh()
    assert "Cannot draw this plot: no canvas for you" in shown(world, slices)
    assert isinstance(world.cell(image.layer_id).plot.presenters[0], ImagePresenter)
