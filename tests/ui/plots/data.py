"""Results shaped exactly like the wire (the fake backend's jobs through da00), cached,
and the plot states the real plotters compute from them."""

from __future__ import annotations

from functools import cache

import numpy as np
import scipp as sc

from livedash.instruments import Instrument, load_instrument
from livedash.plots.model import PlotterKind, PlotterParams
from livedash.plots.plotters import PlotterRegistry
from livedash.plots.state import PlotState
from livedash.protocol.ids import WorkflowId
from tests.plots.wire import wire_updates

PANEL = WorkflowId(instrument="dummy", name="panel_0_xy", version=1)
LAYERS = WorkflowId(instrument="dummy", name="panel_0_layers", version=1)
MONITOR = WorkflowId(instrument="dummy", name="monitor_histogram", version=1)
READINGS = WorkflowId(instrument="dummy", name="timeseries_data", version=1)
TOTAL = WorkflowId(instrument="dummy", name="total_counts", version=1)


@cache
def dummy() -> Instrument:
    return load_instrument("dummy")


@cache
def _updates(name: str, source: str, count: int) -> tuple[dict[str, sc.DataArray], ...]:
    return tuple(wire_updates(name, source, updates=count))


def wire(workflow: WorkflowId, source: str, output: str, step: int = 0) -> sc.DataArray:
    """Output ``output`` of the ``step``-th update (0-based) of a fake-backend job."""
    return _updates(workflow.name, source, 6)[step][output].copy()


def series(source: str = "motion1", steps: int = 1) -> sc.DataArray:
    """The time series the data cache accumulates from ``steps`` updates."""
    parts = [wire(READINGS, source, "delta", s) for s in range(steps)]
    return sc.concat(parts, dim=parts[0].dim)


def registry() -> PlotterRegistry:
    return PlotterRegistry(dim_titles=dummy().dim_titles)


def state(
    data: sc.DataArray,
    *,
    kind: PlotterKind = PlotterKind.AUTO,
    params: PlotterParams | None = None,
    previous: PlotState | None = None,
) -> PlotState:
    """What the real plotter computes from ``data``."""
    inputs = {"primary": data}
    plotter = registry().choose(kind, inputs)
    return plotter.compute(inputs, params or PlotterParams(), previous)


def image_data(values: np.ndarray, unit: str = "counts") -> sc.DataArray:
    """A 2-D result with pixel axes ``y, x`` (as the detector views send)."""
    return sc.DataArray(sc.array(dims=["y", "x"], values=values, unit=unit), name="Image")
