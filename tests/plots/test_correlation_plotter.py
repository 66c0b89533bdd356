from __future__ import annotations

import scipp as sc

from livedash.plots.model import PlotterParams
from livedash.plots.plotters import CorrelationPlotter
from livedash.plots.state import CorrelationState

from .wire import T0_NS

PLOTTER = CorrelationPlotter()
PARAMS = PlotterParams()


def scalar(value: float, time_ns: int, name: str, unit: str = "counts") -> sc.DataArray:
    return sc.DataArray(
        sc.scalar(value, unit=unit),
        coords={"time": sc.scalar(time_ns, unit="ns", dtype="int64")},
        name=name,
    )


def step(
    state: CorrelationState | None,
    t: int,
    x: float,
    y: float,
    *,
    params: PlotterParams = PARAMS,
) -> CorrelationState:
    inputs = {
        "primary": scalar(y, T0_NS + t, "Total"),
        "x_axis": scalar(x, T0_NS, "Position", "mm"),
    }
    result = PLOTTER.compute(inputs, params, state)
    assert isinstance(result, CorrelationState)
    return result


def test_primary_is_plotted_against_the_x_axis_role() -> None:
    state = step(None, 0, 1.0, 10.0)
    state = step(state, 1, 2.0, 20.0)
    assert state.x.tolist() == [1.0, 2.0]
    assert state.y.tolist() == [10.0, 20.0]
    assert state.x_label == "Position [mm]"
    assert state.y_label == "Total [counts]"
    assert state.colour is None


def test_points_are_added_only_when_the_primary_time_moves() -> None:
    state = step(None, 0, 1.0, 10.0)
    state = step(state, 0, 5.0, 50.0)
    assert state.x.tolist() == [5.0]


def test_history_is_bounded() -> None:
    state = None
    for t in range(6):
        state = step(state, t, float(t), float(t), params=PlotterParams(history_length=3))
    assert state is not None
    assert state.x.tolist() == [3.0, 4.0, 5.0]


def test_y_axis_role_gives_y_and_the_primary_colours_the_points() -> None:
    inputs = {
        "primary": scalar(7.0, T0_NS, "Total"),
        "x_axis": scalar(1.0, T0_NS, "X", "mm"),
        "y_axis": scalar(2.0, T0_NS, "Y", "mm"),
    }
    state = PLOTTER.compute(inputs, PARAMS, None)
    assert (state.x.tolist(), state.y.tolist()) == ([1.0], [2.0])
    assert state.colour is not None
    assert state.colour.tolist() == [7.0]


def test_accepts_only_timed_scalars_with_an_x_axis() -> None:
    timed = scalar(1.0, T0_NS, "T")
    assert PLOTTER.accepts({"primary": timed, "x_axis": timed})
    assert not PLOTTER.accepts({"primary": timed})
    assert not PLOTTER.accepts({"primary": sc.DataArray(sc.scalar(1.0)), "x_axis": timed})
