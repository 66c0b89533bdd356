from __future__ import annotations

import numpy as np
import scipp as sc

from livedash.plots.model import PlotterParams
from livedash.plots.plotters import ScalarPlotter
from livedash.plots.state import ScalarState

from .wire import T0_NS, wire_output, wire_updates

PLOTTER = ScalarPlotter()
PARAMS = PlotterParams()


def total(value: float, *, time_ns: int | None, variance: float | None = None) -> sc.DataArray:
    data = sc.DataArray(sc.scalar(value, variance=variance, unit="counts"), name="Total")
    if time_ns is not None:
        data.coords["time"] = sc.scalar(time_ns, unit="ns", dtype="int64")
    return data


def test_wire_total_gives_value_unit_and_one_trend_point() -> None:
    data = wire_output("panel_0_xy", "panel_0", "counts_total_cumulative")
    state = PLOTTER.compute({"primary": data}, PARAMS, None)
    assert isinstance(state, ScalarState)
    assert state.value == float(data.value)
    assert state.unit == "counts"
    assert state.label == "Total [counts]"
    assert state.time_ns == int(data.coords["time"].value)
    assert state.history_values.tolist() == [state.value]
    assert state.history_times.dtype == np.dtype("datetime64[ns]")


def test_int64_total_counts_become_float() -> None:
    data = wire_output("total_counts", "panel_0", "total_counts")
    assert data.dtype == sc.DType.int64
    state = PLOTTER.compute({"primary": data}, PARAMS, None)
    assert isinstance(state.value, float)


def test_monitor_total_errors_are_standard_deviations() -> None:
    state = PLOTTER.compute({"primary": total(9.0, time_ns=T0_NS, variance=4.0)}, PARAMS, None)
    assert state.error == 2.0


def test_errors_hidden_when_not_shown() -> None:
    params = PlotterParams(show_errors=False)
    state = PLOTTER.compute({"primary": total(9.0, time_ns=T0_NS, variance=4.0)}, params, None)
    assert state.error is None


def test_trend_extends_with_each_new_time_and_stays_bounded() -> None:
    params = PlotterParams(history_length=3)
    state = None
    for step in range(5):
        state = PLOTTER.compute(
            {"primary": total(float(step), time_ns=T0_NS + step)}, params, state
        )
    assert state is not None
    assert state.history_values.tolist() == [2.0, 3.0, 4.0]
    assert state.history_times[-1] == np.datetime64(T0_NS + 4, "ns")


def test_repeated_time_replaces_the_last_point() -> None:
    first = PLOTTER.compute({"primary": total(1.0, time_ns=T0_NS)}, PARAMS, None)
    again = PLOTTER.compute({"primary": total(2.0, time_ns=T0_NS)}, PARAMS, first)
    assert again.history_values.tolist() == [2.0]


def test_earlier_time_restarts_the_trend() -> None:
    first = PLOTTER.compute({"primary": total(1.0, time_ns=T0_NS + 10)}, PARAMS, None)
    later = PLOTTER.compute({"primary": total(2.0, time_ns=T0_NS)}, PARAMS, first)
    assert later.history_values.tolist() == [2.0]


def test_without_time_coord_the_value_shows_but_the_trend_does_not_grow() -> None:
    state = PLOTTER.compute({"primary": total(5.0, time_ns=None)}, PARAMS, None)
    assert state.value == 5.0
    assert len(state.history_values) == 0


def test_successive_wire_updates_build_a_trend() -> None:
    state = None
    for update in wire_updates("monitor_histogram", "monitor1", updates=3):
        state = PLOTTER.compute({"primary": update["counts_total"]}, PARAMS, state)
    assert state is not None
    assert len(state.history_values) == 3


def test_nan_value_is_kept() -> None:
    state = PLOTTER.compute({"primary": total(float("nan"), time_ns=T0_NS)}, PARAMS, None)
    assert np.isnan(state.value)


def test_history_arrays_are_read_only() -> None:
    state = PLOTTER.compute({"primary": total(1.0, time_ns=T0_NS)}, PARAMS, None)
    assert not state.history_values.flags.writeable
    assert not state.history_times.flags.writeable


def test_accepts_only_0d_data() -> None:
    assert PLOTTER.accepts({"primary": total(1.0, time_ns=None)})
    assert not PLOTTER.accepts({"primary": wire_output("monitor_histogram", "monitor1", "current")})


def test_datetime_time_coord_is_read_as_well() -> None:
    data = sc.DataArray(
        sc.scalar(3.0, unit="counts"),
        coords={"time": sc.datetime(T0_NS, unit="ns")},
        name="Total",
    )
    state = PLOTTER.compute({"primary": data}, PARAMS, None)
    assert state.time_ns == T0_NS
