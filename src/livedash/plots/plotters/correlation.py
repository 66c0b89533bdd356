"""One 0-D result against another over time (e.g. counts against a motor position).

Roles: ``x_axis`` gives x. With a ``y_axis`` role, that gives y and the ``primary``
value colours the points; without one, ``primary`` gives y. A point is added whenever
the ``primary`` result's ``time`` coord moves on, paired with the latest value of the
other roles; a repeated time replaces the last point, an earlier one restarts the
history. At most ``history_length`` points are kept.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..model import PlotterKind, PlotterParams
from ..state import CorrelationState, PlotState, frozen
from .common import Inputs, scalar_value, time_ns_of, value_label


class CorrelationPlotter:
    """Draws ``x_axis`` against ``y_axis`` (or ``primary``), all 0-D."""

    kind = PlotterKind.CORRELATION

    def __init__(self, *, dim_titles: Mapping[str, str] | None = None) -> None:
        self._dim_titles = dict(dim_titles or {})

    def accepts(self, inputs: Inputs) -> bool:
        if "primary" not in inputs or "x_axis" not in inputs:
            return False
        return all(data.ndim == 0 for data in inputs.values()) and (
            time_ns_of(inputs["primary"]) is not None
        )

    def compute(
        self, inputs: Inputs, params: PlotterParams, previous: PlotState | None
    ) -> CorrelationState:
        primary, x_data = inputs["primary"], inputs["x_axis"]
        y_data = inputs.get("y_axis", primary)
        coloured = "y_axis" in inputs
        time_ns = time_ns_of(primary)
        if time_ns is None:
            raise ValueError("a correlation needs a 'time' coord on the primary result")
        point = [scalar_value(x_data), scalar_value(y_data), scalar_value(primary)]
        columns = self._history(previous, coloured)
        stamp = np.datetime64(time_ns, "ns")
        times = columns[0]
        if len(times) and stamp == times[-1]:
            columns = [c[:-1] for c in columns]
        elif len(times) and stamp < times[-1]:
            columns = [c[:0] for c in columns]
        keep = params.history_length
        times = np.append(columns[0], stamp)[-keep:]
        xs = np.append(columns[1], point[0])[-keep:]
        ys = np.append(columns[2], point[1])[-keep:]
        colour = np.append(columns[3], point[2])[-keep:] if coloured else None
        return CorrelationState(
            title=primary.name,
            times=frozen(times, "datetime64[ns]"),
            x=frozen(xs, np.float64),
            y=frozen(ys, np.float64),
            colour=None if colour is None else frozen(colour, np.float64),
            x_label=value_label(x_data),
            y_label=value_label(y_data),
            colour_label=value_label(primary) if coloured else None,
        )

    @staticmethod
    def _history(previous: PlotState | None, coloured: bool) -> list[np.ndarray]:
        empty = np.array([], dtype=np.float64)
        if not isinstance(previous, CorrelationState):
            return [np.array([], dtype="datetime64[ns]"), empty, empty, empty]
        colour = previous.colour if previous.colour is not None else empty
        if coloured and len(colour) != len(previous.x):
            return [np.array([], dtype="datetime64[ns]"), empty, empty, empty]
        return [previous.times, previous.x, previous.y, colour]
