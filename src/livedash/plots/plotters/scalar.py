"""0-D results (totals, counts in range): the value with its unit and a small trend.

The trend is a bounded history of (``time`` coord, value) pairs kept in the plot state:
each result carries its end time as a 0-D int64 ``ns`` coord (PROTOCOL.md 2.4). A
result without a time coord shows its value but adds nothing to the trend.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model import PlotterKind, PlotterParams
from ..state import PlotState, ScalarState
from .common import (
    EMPTY_TIMES,
    EMPTY_VALUES,
    Inputs,
    append_point,
    scalar_value,
    stddevs,
    time_ns_of,
    unit_text,
    value_label,
)


class ScalarPlotter:
    """Draws the ``primary`` role's 0-D value."""

    kind = PlotterKind.SCALAR

    def __init__(self, *, dim_titles: Mapping[str, str] | None = None) -> None:
        self._dim_titles = dict(dim_titles or {})

    def accepts(self, inputs: Inputs) -> bool:
        primary = inputs.get("primary")
        return primary is not None and primary.ndim == 0

    def compute(
        self, inputs: Inputs, params: PlotterParams, previous: PlotState | None
    ) -> ScalarState:
        data = inputs["primary"]
        value = scalar_value(data)
        errors = stddevs(data)
        time_ns = time_ns_of(data)
        times, values = EMPTY_TIMES, EMPTY_VALUES
        if isinstance(previous, ScalarState):
            times, values = previous.history_times, previous.history_values
        if time_ns is not None:
            times, values = append_point(
                times, values, time_ns, value, max_points=params.history_length
            )
        return ScalarState(
            title=data.name,
            value=value,
            error=None if errors is None or not params.show_errors else float(errors),
            unit=unit_text(data.unit),
            label=value_label(data),
            time_ns=time_ns,
            history_times=times,
            history_values=values,
        )
