from __future__ import annotations

import numpy as np
import scipp as sc

from livedash.plots.model import PlotterParams
from livedash.plots.plotters import TimeseriesPlotter
from livedash.plots.state import TimeseriesState
from livedash.session.series import append_series

from .wire import T0_NS, wire_updates

PLOTTER = TimeseriesPlotter()
PARAMS = PlotterParams()


def accumulated(updates: int) -> sc.DataArray:
    """The motion1 history as the session's data cache accumulates it."""
    history = None
    for update in wire_updates("timeseries_data", "motion1", updates=updates):
        history, _ = append_series(history, update["delta"])
    assert history is not None
    return history


def test_series_history_is_drawn_over_its_datetime_axis() -> None:
    history = accumulated(3)
    state = PLOTTER.compute({"primary": history}, PARAMS, None)
    assert isinstance(state, TimeseriesState)
    assert state.times.dtype == np.dtype("datetime64[ns]")
    assert len(state.times) == history.sizes["time"]
    assert np.array_equal(state.values, history.values)
    assert state.unit == "mm"


def test_series_is_bounded_by_the_history_length_keeping_the_newest() -> None:
    history = accumulated(3)
    state = PLOTTER.compute({"primary": history}, PlotterParams(history_length=4), None)
    assert len(state.values) == 4
    assert np.array_equal(state.values, history.values[-4:])


def test_scalar_total_followed_over_time_accumulates_a_bounded_history() -> None:
    params = PlotterParams(history_length=2)
    state = None
    for update in wire_updates("monitor_histogram", "monitor1", updates=3):
        state = PLOTTER.compute({"primary": update["counts_total"]}, params, state)
    assert state is not None
    assert len(state.values) == 2


def test_log_scale_masks_non_positive_values() -> None:
    data = sc.DataArray(
        sc.array(dims=["time"], values=[-1.0, 2.0]),
        coords={"time": sc.datetimes(dims=["time"], values=[T0_NS, T0_NS + 1], unit="ns")},
    )
    state = PLOTTER.compute({"primary": data}, PlotterParams(scale="log"), None)
    assert np.isnan(state.values[0])
    assert state.values[1] == 2.0


def test_accepts_series_and_timed_scalars_but_not_plain_curves() -> None:
    update = wire_updates("monitor_histogram", "monitor1", updates=1)[0]
    assert PLOTTER.accepts({"primary": accumulated(1)})
    assert PLOTTER.accepts({"primary": update["counts_total"]})
    assert not PLOTTER.accepts({"primary": update["cumulative"]})
    assert not PLOTTER.accepts({"primary": sc.DataArray(sc.scalar(1.0))})
