from __future__ import annotations

import numpy as np
import pytest
import scipp as sc

from livedash.plots.model import PlotterKind, PlotterParams
from livedash.plots.plotters import PlotterRegistry, UnsupportedDataError
from livedash.protocol.results import decode_result
from tests.samples import load_vector, vector_params

from .wire import T0_NS, wire_output

REGISTRY = PlotterRegistry()


def timed(value: float) -> sc.DataArray:
    return sc.DataArray(
        sc.scalar(value), coords={"time": sc.scalar(T0_NS, unit="ns", dtype="int64")}
    )


@pytest.mark.parametrize(
    ("workflow", "source", "output", "expected"),
    [
        ("total_counts", "panel_0", "total_counts", PlotterKind.SCALAR),
        ("monitor_histogram", "monitor1", "cumulative", PlotterKind.LINE),
        ("panel_0_xy", "panel_0", "cumulative", PlotterKind.IMAGE),
        ("area_panel_xy", "area_panel", "current", PlotterKind.IMAGE),
        ("panel_0_layers", "panel_0", "cumulative", PlotterKind.SLICER),
        ("timeseries_data", "motion1", "delta", PlotterKind.TIMESERIES),
    ],
)
def test_auto_choice_follows_the_dims_that_arrive(
    workflow: str, source: str, output: str, expected: PlotterKind
) -> None:
    data = wire_output(workflow, source, output)
    assert REGISTRY.choose(PlotterKind.AUTO, {"primary": data}).kind is expected


def test_template_hint_loses_to_the_data_that_arrives() -> None:
    stack = wire_output("panel_0_layers", "panel_0", "current")
    assert REGISTRY.choose(PlotterKind.IMAGE, {"primary": stack}).kind is PlotterKind.SLICER


def test_requested_plotter_wins_when_it_accepts_the_data() -> None:
    total = wire_output("monitor_histogram", "monitor1", "counts_total")
    chosen = REGISTRY.choose(PlotterKind.TIMESERIES, {"primary": total})
    assert chosen.kind is PlotterKind.TIMESERIES


def test_x_axis_role_picks_the_correlation() -> None:
    inputs = {"primary": timed(1.0), "x_axis": timed(2.0)}
    assert REGISTRY.choose(PlotterKind.AUTO, inputs).kind is PlotterKind.CORRELATION


def test_correlation_of_non_scalars_is_unsupported() -> None:
    inputs = {"primary": sc.DataArray(sc.ones(dims=["x"], shape=[2])), "x_axis": timed(2.0)}
    with pytest.raises(UnsupportedDataError, match="0-D"):
        REGISTRY.choose(PlotterKind.AUTO, inputs)


def test_four_dimensional_data_is_unsupported_with_a_readable_reason() -> None:
    data = sc.DataArray(sc.ones(dims=["a", "b", "c", "d"], shape=[1, 1, 1, 1]))
    with pytest.raises(UnsupportedDataError, match="4-D"):
        REGISTRY.choose(PlotterKind.AUTO, {"primary": data})


@pytest.mark.parametrize("name", vector_params("da00_result"))
def test_every_captured_backend_result_is_drawn(name: str) -> None:
    payload, _sidecar = load_vector(name)
    _key, message = decode_result(payload)
    data = message.data
    plotter = REGISTRY.choose(PlotterKind.AUTO, {"primary": data})
    state = plotter.compute({"primary": data}, PlotterParams(scale="log"), None)
    assert state.kind is plotter.kind
    expected = {0: PlotterKind.SCALAR, 1: PlotterKind.LINE, 2: PlotterKind.IMAGE}
    assert plotter.kind is expected.get(data.ndim, PlotterKind.SLICER)
    arrays = [v for v in vars(state).values() if isinstance(v, np.ndarray)]
    assert arrays
    assert not any(array.flags.writeable for array in arrays)
