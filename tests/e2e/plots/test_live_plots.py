"""Every dummy workflow's output plotted live in a real tab: axes, units, updates, no flicker.

One stack for the module: the session's broker, ``livedash fake-backend`` (results every
0.5 s), one ``livedash serve`` worker and one headless Chromium tab. The test writes the
layout with its own configuration store (the documents the plot dialog writes) and
starts every workflow with the commands a dashboard sends:

- grid "Live" (2x2): panel_0_xy image, monitor_histogram, panel_0_layers (3-D slice),
  timeseries_data;
- grid "More" (1x2): area_panel_xy image, total_counts.

The last two tests edit layers (the histogram, to check that a rebuild is detected;
the time series): keep them last.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from livedash.plots.editing import edit_layer
from livedash.plots.model import GridSet, LayerConfig, PlotterParams
from tests.helpers import wait_until
from tests.worker.process import ServedWorker

from .live import FakeBackendProcess, Instrument, LayoutClient, Workflows, grid, layer
from .page import CellPlots, PlotsPage, first_number

SCREENSHOT = Path("/tmp/livedash-e2e-2x2.png")
LIVE, MORE = "Live", "More"

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Plot:
    """One layer of the module's layout: which output, where."""

    workflow: str
    source: str
    output: str
    grid: str
    row: int
    col: int


PLOTS = {
    "image": Plot("panel_0_xy", "panel_0", "cumulative", LIVE, 0, 0),
    "histogram": Plot("monitor_histogram", "monitor1", "cumulative", LIVE, 0, 1),
    "slices": Plot("panel_0_layers", "panel_0", "cumulative", LIVE, 1, 0),
    "timeseries": Plot("timeseries_data", "motion1", "delta", LIVE, 1, 1),
    "area": Plot("area_panel_xy", "area_panel", "cumulative", MORE, 0, 0),
    "total": Plot("total_counts", "panel_0", "total_counts", MORE, 0, 1),
}


@dataclass
class LiveStack:
    instrument: Instrument
    worker: ServedWorker
    backend: FakeBackendProcess
    layouts: LayoutClient
    layers: dict[str, LayerConfig]
    cells: dict[str, uuid.UUID]
    gridset: GridSet


@pytest.fixture(scope="module")
def live(
    instrument: Instrument,
    layouts: LayoutClient,
    workflows: Workflows,
    start_backend: Callable[..., FakeBackendProcess],
    start_workers: Callable[..., list[ServedWorker]],
) -> LiveStack:
    backend = start_backend()
    (worker,) = start_workers()
    layers = {
        name: layer(instrument.ref(plot.workflow, plot.source, plot.output))
        for name, plot in PLOTS.items()
    }
    gridset = GridSet(
        grids=tuple(
            grid(
                title,
                *size,
                *((p.row, p.col, layers[n]) for n, p in PLOTS.items() if p.grid == title),
            )
            for title, size in ((LIVE, (2, 2)), (MORE, (1, 2)))
        )
    )
    layouts.write(gridset)
    backend.check_running()
    for plot in PLOTS.values():
        workflows.start(plot.workflow, plot.source)
    cells = {
        name: cell.cell_id
        for name in PLOTS
        for _grid, cell, found in gridset.layers()
        if found.layer_id == layers[name].layer_id
    }
    return LiveStack(instrument, worker, backend, layouts, layers, cells, gridset)


@pytest.fixture(scope="module")
def tab(live: LiveStack, open_pages: Callable[..., list[PlotsPage]]) -> PlotsPage:
    return open_pages(live.worker)[0]


def ready_and_updating(tab: PlotsPage, live: LiveStack, name: str) -> list[CellPlots]:
    """The plot ``name`` once READY, then after each of the next two updates."""
    tab.show_grid(PLOTS[name].grid)
    tab.wait_state(live.layers[name].layer_id, "ready")
    cell = live.cells[name]
    first = tab.wait_plots(cell)
    second = tab.wait_change(cell, first)
    return [first, second, tab.wait_change(cell, second)]


def test_a_detector_image_has_y_and_x_axes_and_growing_counts(tab, live) -> None:
    shown = ready_and_updating(tab, live, "image")
    figures = [plots.figure for plots in shown]
    assert (figures[-1].x_label, figures[-1].y_label) == ("x", "y")
    assert figures[-1].color_bars == ["Image [counts]"]
    pixels = [figure.column("Image", "image") for figure in figures]
    assert pixels[-1]["values"] == 128 * 128
    assert pixels[0]["sum"] < pixels[1]["sum"] < pixels[2]["sum"]


def test_a_3d_detector_shows_one_slice_with_a_slider(tab, live) -> None:
    shown = ready_and_updating(tab, live, "slices")
    figure = shown[-1].figure
    assert (figure.x_label, figure.y_label) == ("x", "y")
    assert figure.color_bars == ["Image (cumulative) [counts]"]
    assert [slider["title"] for slider in shown[-1].sliders] == ["layer 0 · 1 of 4"]
    pixels = [plots.figure.column("Image", "image") for plots in shown]
    assert pixels[-1]["values"] == 32 * 128
    assert pixels[0]["sum"] < pixels[1]["sum"] < pixels[2]["sum"]


def test_moving_the_slider_draws_another_slice_in_the_same_canvas(tab, live) -> None:
    tab.show_grid(LIVE)
    tab.wait_state(live.layers["slices"].layer_id, "ready")
    cell = live.cells["slices"]
    tab.wait_plots(cell)
    tab.tag_canvases([cell])
    handle = tab.cell(cell).locator(".noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")

    def on_third_layer() -> CellPlots | None:
        plots = tab.plots(cell)
        titles = [slider["title"] for slider in plots.sliders]
        return plots if titles == ["layer 2 · 3 of 4"] else None

    plots = wait_until(on_third_layer, 30.0, interval_s=0.1, message="the slice did not change")
    assert plots.figure.column("Image", "image")["values"] == 32 * 128
    assert tab.check_canvases()[f"ld-cell-{cell}"]["same"]


def test_an_area_detector_image_has_dim_axes(tab, live) -> None:
    shown = ready_and_updating(tab, live, "area")
    figure = shown[-1].figure
    assert (figure.x_label, figure.y_label) == ("dim_1", "dim_0")
    assert figure.color_bars == ["Image"]  # the area detector's counts are unit-less
    pixels = [plots.figure.column("Image", "image") for plots in shown]
    assert pixels[-1]["values"] == 256 * 256
    assert pixels[0]["sum"] < pixels[1]["sum"] < pixels[2]["sum"]


def test_a_monitor_histogram_has_error_bars_over_time_of_arrival(tab, live) -> None:
    shown = ready_and_updating(tab, live, "histogram")
    figure = shown[-1].figure
    assert figure.x_label == "Time of arrival [ms]"
    assert figure.y_label == "Histogram [counts]"
    assert {"Step", "Scatter", "Segment"} <= set(figure.glyphs())
    errors = figure.column("Segment", "err")
    assert errors["len"] == 100
    assert errors["finite"] == 100
    assert errors["min"] >= 0
    assert errors["sum"] > 0
    counts = [plots.figure.column("Scatter", "y")["sum"] for plots in shown]
    assert counts[0] < counts[1] < counts[2]


def test_total_counts_is_a_number_in_counts_that_grows(tab, live) -> None:
    shown = ready_and_updating(tab, live, "total")
    texts = [plots.texts for plots in shown]
    assert all(len(t) == 1 and "counts" in t[0] for t in texts)
    values = [first_number(t[0]) for t in texts]
    assert 0 < values[0] < values[1] < values[2]


def test_a_timeseries_has_a_datetime_axis_and_new_samples(tab, live) -> None:
    shown = ready_and_updating(tab, live, "timeseries")
    figure = shown[-1].figure
    assert figure.x_type == "DatetimeAxis"
    assert figure.x_label == "Time (UTC)"
    assert figure.y_label == "Update [mm]"
    times = [plots.figure.column("Line", "t") for plots in shown]
    assert times[0]["max"] < times[1]["max"] < times[2]["max"]
    assert times[0]["len"] < times[2]["len"]


def test_a_2x2_grid_of_live_plots_renders(tab, live) -> None:
    tab.show_grid(LIVE)
    names = [name for name, plot in PLOTS.items() if plot.grid == LIVE]
    for name in names:
        tab.wait_state(live.layers[name].layer_id, "ready")
        tab.wait_plots(live.cells[name])
    for name in names:
        cell = live.cells[name]
        tab.wait_change(cell, tab.plots(cell))
    tab.page.screenshot(path=str(SCREENSHOT))
    counts = tab.tag_canvases([live.cells[name] for name in names])
    assert all(count >= 1 for count in counts.values()), counts
    assert tab.errors == []


def test_updates_keep_every_canvas_and_a_rebuild_replaces_only_its_own(tab, live, layouts) -> None:
    """Across 5 updates of every plot of the 2x2 grid no canvas is replaced; editing the
    histogram (a new layer: log scale) replaces that cell's canvases and no other's."""
    tab.show_grid(LIVE)
    names = [name for name, plot in PLOTS.items() if plot.grid == LIVE]
    cells = [live.cells[name] for name in names]
    for name in names:
        tab.wait_state(live.layers[name].layer_id, "ready")
        tab.wait_plots(live.cells[name])
    tagged = tab.tag_canvases(cells)
    assert all(count >= 1 for count in tagged.values()), tagged
    shown = {cell: tab.plots(cell) for cell in cells}
    for update in range(1, 6):
        shown = {cell: tab.wait_change(cell, plots) for cell, plots in shown.items()}
        check = tab.check_canvases()
        kept = [c["same"] and c["connected"] == c["tagged"] for c in check.values()]
        assert all(kept), f"canvases replaced by update {update}: {check}"

    edited, log = edit_layer(
        live.gridset, live.layers["histogram"].layer_id, params=PlotterParams(scale="log")
    )
    layouts.write(edited)
    tab.wait_state(log.layer_id, "ready")
    hist_class = f"ld-cell-{live.cells['histogram']}"
    after_edit = wait_until(
        lambda: (c := tab.check_canvases())[hist_class]["now"] >= 1 and c,
        30.0,
        interval_s=0.1,
        message="the edited histogram was not drawn again",
    )
    assert not after_edit[hist_class]["same"]
    assert after_edit[hist_class]["connected"] == 0
    others = {k: v for k, v in after_edit.items() if k not in (hist_class, "__page__")}
    assert all(check["same"] for check in others.values()), after_edit
    assert tab.plots(live.cells["histogram"]).figure.y_axes[0]["type"] == "LogAxis"


def test_a_redrawn_timeseries_keeps_its_value_label(tab, live, layouts) -> None:
    """A new presenter for a time series whose history holds several messages (here: the
    layer edited) labels the values as the first one did ("Update [mm]")."""
    tab.show_grid(LIVE)
    ready_and_updating(tab, live, "timeseries")  # the history now holds 3+ messages
    snapshot = layouts.layout()
    assert snapshot is not None
    edited, redrawn = edit_layer(
        snapshot.gridset,
        live.layers["timeseries"].layer_id,
        params=PlotterParams(history_length=500),
    )
    layouts.write(edited)
    tab.wait_state(redrawn.layer_id, "ready")
    figure = tab.wait_plots(live.cells["timeseries"]).figure
    assert figure.y_label == "Update [mm]"
