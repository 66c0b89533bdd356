"""refresh() draws a new layer once, updates plots in place, rebuilds only on new shapes."""

from __future__ import annotations

import numpy as np

from livedash.plots import editing
from livedash.plots.model import Cell

from .data import LAYERS, PANEL, image_data, wire
from .harness import ModelCounter, World, cell_with, layer, one_grid, record_events, ref, rendered

IMAGE = ref(PANEL, "panel_0")


def streaming_image(world: World):
    """A READY image layer, drawn."""
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.refresh()
    return config


def test_a_layer_added_while_its_data_streams_is_drawn_once(world: World) -> None:
    world.write(one_grid())
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.refresh()
    grid_id = world.layout().grids[0].grid_id
    config = layer(IMAGE)
    problem = world.view.editor.apply(
        lambda g: editing.add_cell(g, grid_id, Cell(row=0, col=0, layers=(config,)))
    )
    assert problem is None
    for _ in range(3):
        world.refresh()
    cell = world.cell(config.layer_id)
    assert world.view.stats()["builds"] == 1
    assert cell.plot_holder.visible
    assert not cell.placeholder.visible


def test_layout_seen_before_the_orchestrator_synced_still_draws_once(world: World) -> None:
    world.write(one_grid())
    world.start(PANEL, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.refresh()
    config = layer(IMAGE)
    world.write(one_grid(cell_with(config)))
    world.reader.feed()
    world.view.refresh()  # the layout arrived, the orchestrator has not synced yet
    assert world.cell(config.layer_id).placeholder.visible
    world.refresh()
    world.refresh()
    assert world.view.stats()["builds"] == 1


def test_an_ordinary_update_creates_no_bokeh_model_and_keeps_the_pane(
    world: World, models: ModelCounter
) -> None:
    config = streaming_image(world)
    doc = rendered(world.view)
    cell = world.cell(config.layer_id)
    pane, figure = cell.plot_holder.objects[0], cell.plot.presenters[0].figure
    ids = {m.id for m in doc.models}
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 1))
    with models.counting() as created:
        world.refresh()
    assert created == []
    assert {m.id for m in doc.models} == ids
    assert cell.plot_holder.objects[0] is pane
    assert pane.object is figure
    assert world.view.stats() == {"builds": 1, "updates": 1, "cells": 1, "layers": 1}


def test_an_update_changes_only_its_own_cell(world: World) -> None:
    image = layer(IMAGE)
    other = layer(ref(LAYERS, "panel_0"))
    world.write(one_grid(cell_with(image), cell_with(other, col=1)))
    world.start(PANEL, "panel_0")
    world.start(LAYERS, "panel_0")
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 0))
    world.put(other.roles["primary"], wire(LAYERS, "panel_0", "cumulative", 0))
    world.refresh()
    events = record_events(world.cell(other.layer_id).panel)
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 1))
    world.refresh()
    assert events == []


def test_a_new_shape_rebuilds_the_plot(world: World) -> None:
    config = streaming_image(world)
    cell = world.cell(config.layer_id)
    pane = cell.plot_holder.objects[0]
    world.put(IMAGE, image_data(np.ones((64, 32))))
    world.refresh()
    assert world.view.stats()["builds"] == 2
    assert cell.plot_holder.objects[0] is not pane


def test_refresh_without_changes_touches_no_widget(world: World) -> None:
    streaming_image(world)
    events = record_events(world.view.panel)
    world.refresh()
    world.refresh()
    assert events == []


def test_moving_the_slicer_draws_the_new_slice_in_place(world: World) -> None:
    slices = layer(ref(LAYERS, "panel_0"))
    world.write(one_grid(cell_with(slices)))
    world.start(LAYERS, "panel_0")
    world.put(slices.roles["primary"], wire(LAYERS, "panel_0", "cumulative", 0))
    world.refresh()
    world.view.set_slice(slices.layer_id, 2)
    view = world.plots.view(slices.layer_id)
    assert view is not None
    assert view.plot is not None
    assert view.plot.slice.index == 2  # type: ignore[union-attr]
    presenter = world.cell(slices.layer_id).plot.presenters[0]
    assert presenter.slider.value == 2  # type: ignore[attr-defined]
    assert world.view.stats()["builds"] == 1
    world.refresh()
    assert world.view.stats()["builds"] == 1


def test_a_closed_view_ignores_refreshes(world: World) -> None:
    config = streaming_image(world)
    world.view.close()
    world.view.close()
    world.put(IMAGE, wire(PANEL, "panel_0", "cumulative", 1))
    world.refresh()
    assert world.cell(config.layer_id).plot.updates == 0
