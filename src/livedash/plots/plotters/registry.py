"""Which plotter draws a layer: chosen by the data that actually arrives.

Templates only hint at the shape of an output (their dims are placeholders such as
``dim_0``; PROTOCOL.md 12.1), so the choice is made for every computation from the
number of dims of the ``primary`` data:

=========================================  =====================
data that arrived                          plotter
=========================================  =====================
0-D, with an ``x_axis`` role               correlation
0-D                                        scalar
1-D along a datetime64 coord               timeseries
1-D                                        line
2-D                                        image
3-D                                        slicer
more                                       none: the layer shows an error
=========================================  =====================

A layer's requested plotter wins when it accepts the data (a 0-D total can be drawn as
a time series); otherwise the table decides.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model import PlotterKind
from .common import Inputs, Plotter, UnsupportedDataError
from .correlation import CorrelationPlotter
from .image import ImagePlotter, SlicerPlotter
from .line import LinePlotter, is_datetime_series
from .scalar import ScalarPlotter
from .timeseries import TimeseriesPlotter

_BY_NDIM = {0: PlotterKind.SCALAR, 1: PlotterKind.LINE, 2: PlotterKind.IMAGE, 3: PlotterKind.SLICER}


class PlotterRegistry:
    """One instance of every plotter, sharing the instrument's dim titles."""

    def __init__(self, *, dim_titles: Mapping[str, str] | None = None) -> None:
        titles = dict(dim_titles or {})
        plotters: list[Plotter] = [
            ScalarPlotter(dim_titles=titles),
            LinePlotter(dim_titles=titles),
            ImagePlotter(dim_titles=titles),
            SlicerPlotter(dim_titles=titles),
            TimeseriesPlotter(dim_titles=titles),
            CorrelationPlotter(dim_titles=titles),
        ]
        self._by_kind: dict[PlotterKind, Plotter] = {p.kind: p for p in plotters}

    def get(self, kind: PlotterKind) -> Plotter:
        """The plotter of ``kind`` (not ``auto``)."""
        return self._by_kind[kind]

    def choose(self, requested: PlotterKind, inputs: Inputs) -> Plotter:
        """The plotter for ``inputs``: ``requested`` if it accepts them, else by the table.

        Raises :class:`UnsupportedDataError` when nothing can draw the data.
        """
        if requested is not PlotterKind.AUTO:
            plotter = self._by_kind[requested]
            if plotter.accepts(inputs):
                return plotter
        primary = inputs["primary"]
        if "x_axis" in inputs:
            correlation = self._by_kind[PlotterKind.CORRELATION]
            if correlation.accepts(inputs):
                return correlation
            raise UnsupportedDataError(
                "a correlation needs 0-D data in every role and a 'time' coord on the primary"
            )
        if is_datetime_series(primary):
            return self._by_kind[PlotterKind.TIMESERIES]
        kind = _BY_NDIM.get(primary.ndim)
        if kind is None:
            raise UnsupportedDataError(
                f"cannot plot {primary.ndim}-D data (dims {list(primary.dims)})"
            )
        return self._by_kind[kind]
