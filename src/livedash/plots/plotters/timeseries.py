"""Values over time: log series (``delta``) and 0-D results followed over time.

- 1-D data along a datetime64 coord (a ``series`` output): the session's data cache
  already accumulates the new samples of each message into a bounded history
  (PROTOCOL.md 12.1), so the plot shows its last ``history_length`` samples.
- 0-D data with a ``time`` coord (a total shown as a time series): each result adds one
  point to a bounded history kept in the plot state.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..model import PlotterKind, PlotterParams
from ..state import PlotState, TimeseriesState, frozen
from .common import (
    EMPTY_TIMES,
    EMPTY_VALUES,
    Inputs,
    append_point,
    as_float,
    mask_non_positive,
    scalar_value,
    time_ns_of,
    unit_text,
    value_label,
)
from .line import is_datetime_series


class TimeseriesPlotter:
    """Draws the ``primary`` role as values over time."""

    kind = PlotterKind.TIMESERIES

    def __init__(self, *, dim_titles: Mapping[str, str] | None = None) -> None:
        self._dim_titles = dict(dim_titles or {})

    def accepts(self, inputs: Inputs) -> bool:
        primary = inputs.get("primary")
        if primary is None:
            return False
        return is_datetime_series(primary) or (
            primary.ndim == 0 and time_ns_of(primary) is not None
        )

    def compute(
        self, inputs: Inputs, params: PlotterParams, previous: PlotState | None
    ) -> TimeseriesState:
        data = inputs["primary"]
        if data.ndim == 0:
            times, values = EMPTY_TIMES, EMPTY_VALUES
            if isinstance(previous, TimeseriesState):
                times, values = previous.times, previous.values
            time_ns = time_ns_of(data)
            if time_ns is None:
                raise ValueError("a 0-D time series needs a 'time' coord")
            times, values = append_point(
                times, values, time_ns, scalar_value(data), max_points=params.history_length
            )
        else:
            keep = params.history_length
            coord = data.coords[data.dim]
            times = frozen(coord.to(unit="ns").values[-keep:], "datetime64[ns]")
            values = frozen(as_float(data.values[-keep:]))
        log = params.scale == "log"
        if log:
            values = frozen(mask_non_positive(np.asarray(values)))
        return TimeseriesState(
            title=data.name,
            times=times,
            values=values,
            unit=unit_text(data.unit),
            value_label=value_label(data),
            log=log,
            y_range=params.y_range,
        )
