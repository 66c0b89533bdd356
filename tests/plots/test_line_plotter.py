from __future__ import annotations

import numpy as np
import scipp as sc

from livedash.plots.model import AxisRange, PlotterParams
from livedash.plots.plotters import LinePlotter
from livedash.plots.state import LineState

from .wire import wire_output

TITLES = {"time_of_arrival": "Time of arrival"}
PLOTTER = LinePlotter(dim_titles=TITLES)
PARAMS = PlotterParams()


def histogram(values: list[float], *, variances: list[float] | None = None) -> sc.DataArray:
    n = len(values)
    return sc.DataArray(
        sc.array(dims=["time_of_arrival"], values=values, variances=variances, unit="counts"),
        coords={"time_of_arrival": sc.linspace("time_of_arrival", 0.0, 10.0 * n, n + 1, unit="ms")},
        name="Histogram",
    )


def compute(data: sc.DataArray, params: PlotterParams = PARAMS) -> LineState:
    state = PLOTTER.compute({"primary": data}, params, None)
    assert isinstance(state, LineState)
    return state


def test_monitor_histogram_from_the_wire_is_a_step_curve_over_its_edges() -> None:
    data = wire_output("monitor_histogram", "monitor1", "cumulative")
    state = compute(data)
    assert state.histogram
    assert state.values.shape == (100,)
    assert state.x.edges.shape == (101,)
    assert state.x.centers.shape == (100,)
    assert np.array_equal(state.x.edges, data.coords["time_of_arrival"].values)
    assert state.x.label == "Time of arrival [ms]"
    assert state.value_label == "Histogram [counts]"


def test_wire_variances_become_error_bars() -> None:
    data = wire_output("monitor_histogram", "monitor1", "cumulative")
    state = compute(data)
    assert state.errors is not None
    assert np.allclose(state.errors, np.sqrt(data.variances))


def test_data_without_variances_has_no_error_bars() -> None:
    assert compute(histogram([1.0, 2.0])).errors is None


def test_errors_are_hidden_when_not_shown() -> None:
    data = histogram([1.0, 2.0], variances=[1.0, 4.0])
    assert compute(data, PlotterParams(show_errors=False)).errors is None


def test_nan_stays_a_gap() -> None:
    state = compute(histogram([1.0, float("nan"), 3.0]))
    assert np.isnan(state.values[1])
    assert state.values[[0, 2]].tolist() == [1.0, 3.0]


def test_log_scale_masks_non_positive_values_and_their_errors() -> None:
    data = histogram([0.0, -1.0, 4.0], variances=[1.0, 1.0, 4.0])
    state = compute(data, PlotterParams(scale="log"))
    assert np.isnan(state.values[:2]).all()
    assert state.values[2] == 4.0
    assert state.errors is not None
    assert np.isnan(state.errors[:2]).all()
    assert state.errors[2] == 2.0
    assert state.log


def test_point_coord_gives_a_line_through_the_points() -> None:
    data = sc.DataArray(
        sc.array(dims=["q"], values=[1.0, 2.0, 3.0]),
        coords={"q": sc.array(dims=["q"], values=[0.0, 1.0, 3.0], unit="1/angstrom")},
    )
    state = compute(data)
    assert not state.histogram
    assert state.x.centers.tolist() == [0.0, 1.0, 3.0]
    assert state.x.edges.tolist() == [-0.5, 0.5, 2.0, 4.0]


def test_no_coord_gives_bin_indices() -> None:
    data = sc.DataArray(sc.array(dims=["bounds"], values=np.ones(3, dtype=np.int32)))
    state = compute(data)
    assert not state.x.from_coord
    assert state.x.centers.tolist() == [0.0, 1.0, 2.0]
    assert state.values.dtype == np.float64


def test_empty_roi_readback_from_the_wire_is_an_empty_curve() -> None:
    state = compute(wire_output("panel_0_xy", "panel_0", "roi_rectangle"))
    assert state.values.shape == (0,)


def test_ranges_pass_through() -> None:
    params = PlotterParams(x_range=AxisRange(low=0, high=5), y_range=AxisRange(low=1, high=2))
    state = compute(histogram([1.0]), params)
    assert (state.x_range, state.y_range) == (params.x_range, params.y_range)


def test_values_never_share_memory_with_the_input_and_are_read_only() -> None:
    data = histogram([1.0, 2.0])
    state = compute(data)
    assert not np.shares_memory(state.values, data.values)
    assert not state.values.flags.writeable


def test_shape_signature_stays_for_new_values_and_changes_with_the_shape() -> None:
    first = compute(histogram([1.0, 2.0]))
    assert compute(histogram([5.0, 6.0])).shape_signature == first.shape_signature
    assert compute(histogram([1.0, 2.0, 3.0])).shape_signature != first.shape_signature
    log = compute(histogram([1.0, 2.0]), PlotterParams(scale="log"))
    assert log.shape_signature != first.shape_signature
