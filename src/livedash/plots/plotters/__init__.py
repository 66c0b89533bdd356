"""Plotters: pure functions from a layer's data to a plot state, one module per family.

See :mod:`livedash.plots.plotters.registry` for which plotter draws what.
"""

from .common import Inputs, Plotter, UnsupportedDataError
from .correlation import CorrelationPlotter
from .image import ImagePlotter, SlicerPlotter
from .line import LinePlotter
from .registry import PlotterRegistry
from .scalar import ScalarPlotter
from .timeseries import TimeseriesPlotter

__all__ = [
    "CorrelationPlotter",
    "ImagePlotter",
    "Inputs",
    "LinePlotter",
    "Plotter",
    "PlotterRegistry",
    "ScalarPlotter",
    "SlicerPlotter",
    "TimeseriesPlotter",
    "UnsupportedDataError",
]
