from __future__ import annotations

import pytest

from livedash.instruments import WorkflowSpec
from livedash.plots.model import PlotterKind
from livedash.plots.templates import grid_from_template, resolve_view

from .wire import dummy, workflow_id


def spec(name: str) -> WorkflowSpec:
    return dummy().workflow(workflow_id(name))


def test_view_resolves_to_the_cumulative_output_by_default() -> None:
    ref = resolve_view(spec("panel_0_xy"), source_name="panel_0", view_name="image")
    assert (ref.output_name, ref.source_name, str(ref.workflow_id)) == (
        "cumulative",
        "panel_0",
        "dummy/panel_0_xy/1",
    )


def test_per_update_windowing_resolves_to_the_window_output() -> None:
    ref = resolve_view(
        spec("monitor_histogram"),
        source_name="monitor2",
        view_name="total_counts",
        windowing="per_update",
    )
    assert ref.output_name == "counts_total"


def test_view_offering_only_per_update_uses_it() -> None:
    ref = resolve_view(spec("timeseries_data"), source_name="motion1", view_name="delta")
    assert ref.output_name == "delta"


def test_unknown_view_source_or_windowing_is_refused() -> None:
    with pytest.raises(KeyError, match="histogram"):
        resolve_view(spec("panel_0_xy"), source_name="panel_0", view_name="histogram")
    with pytest.raises(ValueError, match="monitor1"):
        resolve_view(spec("panel_0_xy"), source_name="monitor1", view_name="image")
    with pytest.raises(ValueError, match="hourly"):
        resolve_view(
            spec("panel_0_xy"), source_name="panel_0", view_name="image", windowing="hourly"
        )


def test_template_keeps_geometry_plotter_and_log_colour_scale() -> None:
    grid = grid_from_template(dummy(), 0)
    assert (grid.title, grid.nrows, grid.ncols) == ("Detectors", 2, 2)
    assert [(c.row, c.col, c.row_span, c.col_span) for c in grid.cells] == [
        (0, 0, 2, 1),
        (0, 1, 2, 1),
    ]
    layers = [layer for c in grid.cells for layer in c.layers]
    assert [la.plotter for la in layers] == [PlotterKind.IMAGE, PlotterKind.IMAGE]
    assert [la.params.scale for la in layers] == ["log", "log"]
    assert layers[1].title == "Panel 0: panel_0 (Image)"
