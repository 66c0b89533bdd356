"""What a plotter computes and a presenter draws: frozen, Panel-free plot states.

A plot state holds numpy arrays (read-only, never shared with the data cache) plus the
metadata a presenter needs: title, labels, units, colour limits, log flags, slice
information and the layer's overlays. It crosses from the session's pump thread (where
it is computed) to the UI thread (where it is drawn) without copying or locking, so
nothing in it may change after construction.

``shape_signature`` is what a presenter compares to decide between updating the data of
the plot it already has ("same kind, just new values") and rebuilding it (another kind,
another shape, other dims, units or scales). Colour limits and values never enter it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import AxisRange, Overlay, PlotterKind

Signature = tuple[Any, ...]


def frozen(values: Any, dtype: Any = None) -> np.ndarray:
    """A read-only copy of ``values`` (so no caller can change a published state)."""
    array = np.array(values, dtype=dtype, copy=True)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Axis:
    """One axis of a line or image.

    ``edges`` (n+1) and ``centers`` (n) are both given. ``from_coord`` is False when the
    data had no usable coordinate and the axis counts pixels (edges at -0.5 ... n-0.5);
    ``bin_edges`` says the coordinate itself held the edges (a histogram), rather than
    points whose edges were placed half-way between them.
    ``label`` is the dim's title with its unit, e.g. ``Time of arrival [ms]``.
    """

    dim: str
    label: str
    unit: str | None
    edges: np.ndarray
    centers: np.ndarray
    from_coord: bool
    bin_edges: bool

    @property
    def signature(self) -> Signature:
        return (self.dim, self.unit, len(self.centers), self.from_coord, self.bin_edges)


@dataclass(frozen=True, eq=False)
class SliceInfo:
    """Which image of 3-D data is shown: ``index`` of ``count`` along ``dim``."""

    dim: str
    index: int
    count: int
    label: str


@dataclass(frozen=True, eq=False)
class ScalarState:
    """A 0-D value and a bounded trend of its recent values (times in datetime64[ns])."""

    title: str
    value: float
    error: float | None
    unit: str | None
    label: str
    time_ns: int | None
    history_times: np.ndarray
    history_values: np.ndarray
    overlays: tuple[Overlay, ...] = ()
    kind: PlotterKind = PlotterKind.SCALAR

    @property
    def shape_signature(self) -> Signature:
        return (self.kind, self.unit)


@dataclass(frozen=True, eq=False)
class LineState:
    """A 1-D curve: steps over bin ``edges`` when ``histogram``, else points at centres.

    ``values`` keeps NaN as gaps; on a log scale values <= 0 are NaN too. ``errors``
    (standard deviations) are present when the data had variances and errors are shown.
    """

    title: str
    x: Axis
    histogram: bool
    values: np.ndarray
    errors: np.ndarray | None
    unit: str | None
    value_label: str
    log: bool
    x_range: AxisRange | None
    y_range: AxisRange | None
    overlays: tuple[Overlay, ...] = ()
    kind: PlotterKind = PlotterKind.LINE

    @property
    def shape_signature(self) -> Signature:
        return (
            self.kind,
            self.x.signature,
            self.histogram,
            self.errors is not None,
            self.log,
            self.unit,
        )


@dataclass(frozen=True, eq=False)
class ImageState:
    """A 2-D image, ``values[y, x]`` as float64 with NaN for missing pixels.

    ``color_limits`` is None when the data has no finite (on a log scale: no positive)
    value. ``slice`` is set for one image of 3-D data (the slicer).
    """

    title: str
    values: np.ndarray
    x: Axis
    y: Axis
    color_limits: tuple[float, float] | None
    log: bool
    colormap: str
    unit: str | None
    value_label: str
    x_range: AxisRange | None
    y_range: AxisRange | None
    slice: SliceInfo | None = None
    overlays: tuple[Overlay, ...] = ()
    kind: PlotterKind = PlotterKind.IMAGE

    @property
    def shape_signature(self) -> Signature:
        sliced = None if self.slice is None else (self.slice.dim, self.slice.count)
        return (self.kind, self.x.signature, self.y.signature, self.log, self.unit, sliced)


@dataclass(frozen=True, eq=False)
class TimeseriesState:
    """Values over time: ``times`` datetime64[ns], at most the layer's history length."""

    title: str
    times: np.ndarray
    values: np.ndarray
    unit: str | None
    value_label: str
    log: bool
    y_range: AxisRange | None
    overlays: tuple[Overlay, ...] = ()
    kind: PlotterKind = PlotterKind.TIMESERIES

    @property
    def shape_signature(self) -> Signature:
        return (self.kind, self.unit, self.log)


@dataclass(frozen=True, eq=False)
class CorrelationState:
    """Points (x, y) sampled over time, optionally coloured by ``colour`` values."""

    title: str
    times: np.ndarray
    x: np.ndarray
    y: np.ndarray
    colour: np.ndarray | None
    x_label: str
    y_label: str
    colour_label: str | None
    overlays: tuple[Overlay, ...] = ()
    kind: PlotterKind = PlotterKind.CORRELATION

    @property
    def shape_signature(self) -> Signature:
        return (self.kind, self.x_label, self.y_label, self.colour_label)


PlotState = ScalarState | LineState | ImageState | TimeseriesState | CorrelationState
