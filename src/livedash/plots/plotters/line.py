"""1-D results (monitor histograms, ROI readbacks): a curve over the data's one dim.

- A bin-edge coord (length n+1, e.g. ``time_of_arrival`` with 101 edges) gives a step
  curve over the edges; a point coord gives a line through the points; no usable coord
  gives a line over the bin indices.
- Variances give error bars (their square roots) unless ``show_errors`` is off; data
  without variances is drawn plain (PROTOCOL.md 12.1: both occur for the same output).
- NaN stays NaN, which a presenter draws as a gap. On a log scale values <= 0 are
  masked (NaN) as well, and so are their errors.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipp as sc

from ..model import PlotterKind, PlotterParams
from ..state import LineState, PlotState, frozen
from .common import (
    Inputs,
    as_float,
    axis_for,
    mask_non_positive,
    stddevs,
    unit_text,
    value_label,
)


def is_datetime_series(data: sc.DataArray) -> bool:
    """1-D with a datetime64 coord along its dim: a time series, not a curve."""
    if data.ndim != 1:
        return False
    coord = data.coords.get(data.dim)
    return coord is not None and coord.dims == data.dims and coord.dtype == sc.DType.datetime64


class LinePlotter:
    """Draws the ``primary`` role's 1-D data."""

    kind = PlotterKind.LINE

    def __init__(self, *, dim_titles: Mapping[str, str] | None = None) -> None:
        self._dim_titles = dict(dim_titles or {})

    def accepts(self, inputs: Inputs) -> bool:
        primary = inputs.get("primary")
        return primary is not None and primary.ndim == 1

    def compute(
        self, inputs: Inputs, params: PlotterParams, previous: PlotState | None
    ) -> LineState:
        data = inputs["primary"]
        axis = axis_for(data, data.dim, self._dim_titles)
        values = as_float(data.values)
        errors = stddevs(data) if params.show_errors else None
        log = params.scale == "log"
        if log:
            values = mask_non_positive(values)
            if errors is not None:
                errors = np.where(np.isnan(values), np.nan, errors)
        return LineState(
            title=data.name,
            x=axis,
            histogram=axis.bin_edges,
            values=frozen(values),
            errors=None if errors is None else frozen(errors),
            unit=unit_text(data.unit),
            value_label=value_label(data),
            log=log,
            x_range=params.x_range,
            y_range=params.y_range,
        )
