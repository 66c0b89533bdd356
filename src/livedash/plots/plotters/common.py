"""Pieces every plotter uses: the plotter protocol, labels, axes, limits and histories.

Pure functions over scipp/numpy, no state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import scipp as sc

from ..model import PlotterKind, PlotterParams
from ..state import Axis, PlotState, frozen

Inputs = Mapping[str, sc.DataArray]
"""A layer's data by role (``primary``, ``x_axis``, ``y_axis``)."""

TIME_COORD = "time"
_UNITLESS = {None, "dimensionless"}


class UnsupportedDataError(ValueError):
    """No plotter can draw the data that arrived (the text is shown on the layer)."""


class Plotter(Protocol):
    """Turns a layer's data into a :class:`~livedash.plots.state.PlotState`.

    ``compute`` is pure and fast (numpy/scipp only): it never modifies its inputs and
    returns arrays that share no buffer with them. ``previous`` is this plotter's last
    state for the layer (a history to extend) or None.
    """

    kind: PlotterKind

    def accepts(self, inputs: Inputs) -> bool: ...

    def compute(
        self, inputs: Inputs, params: PlotterParams, previous: PlotState | None
    ) -> PlotState: ...


def unit_text(unit: sc.Unit | None) -> str | None:
    return None if unit is None else str(unit)


def with_unit(title: str, unit: str | None) -> str:
    """``title [unit]``; a unit-less or dimensionless quantity gets no brackets."""
    return title if unit in _UNITLESS else f"{title} [{unit}]"


def value_label(data: sc.DataArray) -> str:
    return with_unit(data.name or "value", unit_text(data.unit))


def as_float(values: np.ndarray) -> np.ndarray:
    """A float64 copy of ``values`` (ints widened; NaN kept)."""
    return np.array(values, dtype=np.float64, copy=True)


def stddevs(data: sc.DataArray) -> np.ndarray | None:
    """The standard deviations of ``data`` (sqrt of its variances), or None."""
    if data.variances is None:
        return None
    return np.sqrt(np.array(data.variances, dtype=np.float64, copy=True))


def mask_non_positive(values: np.ndarray) -> np.ndarray:
    """``values`` (float) with every value <= 0 replaced by NaN, for a log scale."""
    masked = values.copy()
    with np.errstate(invalid="ignore"):
        masked[~(masked > 0)] = np.nan
    return masked


def auto_limits(values: np.ndarray, *, log: bool) -> tuple[float, float] | None:
    """Colour limits from the finite values (log: the positive ones); None if there are none.

    Equal limits are widened so a constant image still has a colour range.
    """
    finite = values[np.isfinite(values)]
    if log:
        finite = finite[finite > 0]
    if finite.size == 0:
        return None
    low, high = float(finite.min()), float(finite.max())
    if low == high:
        return (low / 10, high * 10) if log else (low - 0.5, high + 0.5)
    return low, high


def axis_for(data: sc.DataArray, dim: str, dim_titles: Mapping[str, str]) -> Axis:
    """The axis of ``dim``: from a 1-D numeric coord (points or bin edges) when usable,
    else pixel indices."""
    size = data.sizes[dim]
    title = dim_titles.get(dim, dim)
    coord = data.coords.get(dim)
    if _usable_coord(coord, dim, size):
        values = np.array(coord.values, dtype=np.float64, copy=True)
        unit = unit_text(coord.unit)
        bin_edges = len(values) == size + 1
        if bin_edges:
            edges, centers = values, 0.5 * (values[:-1] + values[1:])
        else:
            edges, centers = _edges_around(values), values
        return Axis(
            dim=dim,
            label=with_unit(title, unit),
            unit=unit,
            edges=frozen(edges),
            centers=frozen(centers),
            from_coord=True,
            bin_edges=bin_edges,
        )
    return Axis(
        dim=dim,
        label=title,
        unit=None,
        edges=frozen(np.arange(size + 1, dtype=np.float64) - 0.5),
        centers=frozen(np.arange(size, dtype=np.float64)),
        from_coord=False,
        bin_edges=False,
    )


def _usable_coord(coord: sc.Variable | None, dim: str, size: int) -> bool:
    if coord is None or coord.dims != (dim,) or coord.variances is not None:
        return False
    if coord.dtype not in (sc.DType.float64, sc.DType.float32, sc.DType.int64, sc.DType.int32):
        return False
    if coord.shape[0] not in (size, size + 1) or coord.shape[0] == 0:
        return False
    return bool(np.all(np.isfinite(np.asarray(coord.values, dtype=np.float64))))


def _edges_around(centers: np.ndarray) -> np.ndarray:
    if len(centers) == 1:
        return np.array([centers[0] - 0.5, centers[0] + 0.5])
    middle = 0.5 * (centers[:-1] + centers[1:])
    first = centers[0] - (middle[0] - centers[0])
    last = centers[-1] + (centers[-1] - middle[-1])
    return np.concatenate([[first], middle, [last]])


def time_ns_of(data: sc.DataArray) -> int | None:
    """The 0-D ``time`` coord in ns since the epoch (int64 ns on the wire), or None."""
    coord = data.coords.get(TIME_COORD)
    if coord is None or coord.ndim != 0:
        return None
    if coord.dtype == sc.DType.datetime64:
        return int(coord.to(unit="ns").value.astype("datetime64[ns]").astype(np.int64))
    if coord.dtype not in (sc.DType.int64, sc.DType.int32) or coord.unit is None:
        return None
    try:
        return int(coord.to(unit="ns", dtype="int64").value)
    except sc.UnitError:
        return None


def scalar_value(data: sc.DataArray) -> float:
    """The value of 0-D ``data`` as a float (ints widened, NaN and inf kept)."""
    return float(np.asarray(data.values, dtype=np.float64))


def append_point(
    times: np.ndarray, values: np.ndarray, time_ns: int, value: float, *, max_points: int
) -> tuple[np.ndarray, np.ndarray]:
    """A bounded history with (``time_ns``, ``value``) appended, as read-only arrays.

    The same time replaces the last point (a repeated message); an earlier time means
    the source restarted, so the history restarts with this point.
    """
    stamp = np.datetime64(time_ns, "ns")
    if len(times) and stamp == times[-1]:
        times, values = times[:-1], values[:-1]
    elif len(times) and stamp < times[-1]:
        times, values = times[:0], values[:0]
    new_times = np.append(times, stamp)[-max_points:]
    new_values = np.append(values, np.float64(value))[-max_points:]
    return frozen(new_times, "datetime64[ns]"), frozen(new_values, np.float64)


EMPTY_TIMES = frozen(np.array([], dtype="datetime64[ns]"))
EMPTY_VALUES = frozen(np.array([], dtype=np.float64))
