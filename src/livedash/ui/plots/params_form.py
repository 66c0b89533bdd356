"""The plotter params part of the configuration dialog: widgets <-> ``PlotterParams``.

:meth:`ParamsForm.value` validates through ``PlotterParams`` itself, so the dialog
shows the model's own error text (e.g. "range needs finite low < high").
"""

from __future__ import annotations

import panel as pn

from ...plots.model import AxisRange, ColorLimits, PlotterParams
from .presenters.figures import COLORMAPS

_WIDTH = 140


class ParamsForm:
    """Scale, colour map, colour limits, axis ranges, history length, error bars."""

    def __init__(self) -> None:
        self.scale = pn.widgets.Select(
            label="Scale", options={"Linear": "linear", "Log": "log"}, value="linear", width=_WIDTH
        )
        self.colormap = pn.widgets.Select(
            label="Colour map", options=list(COLORMAPS), value="viridis", width=_WIDTH
        )
        self.limits_mode = pn.widgets.Select(
            label="Colour limits",
            options={"Automatic": "auto", "Manual": "manual"},
            value="auto",
            width=_WIDTH,
        )
        self.limits_low = _number("Colour low")
        self.limits_high = _number("Colour high")
        self.x_fixed = pn.widgets.Checkbox(label="Fixed x range", value=False)
        self.x_low, self.x_high = _number("x from"), _number("x to")
        self.y_fixed = pn.widgets.Checkbox(label="Fixed y range", value=False)
        self.y_low, self.y_high = _number("y from"), _number("y to")
        self.history = pn.widgets.IntInput(
            label="History (points)", value=1000, start=1, end=100_000, width=_WIDTH
        )
        self.show_errors = pn.widgets.Checkbox(label="Show error bars", value=True)
        self._base = PlotterParams()
        limits = pn.Row(self.limits_low, self.limits_high, margin=0)
        x_range = pn.Row(self.x_low, self.x_high, margin=0)
        y_range = pn.Row(self.y_low, self.y_high, margin=0)
        for toggle, row in (
            (self.limits_mode, limits),
            (self.x_fixed, x_range),
            (self.y_fixed, y_range),
        ):
            toggle.link(row, callbacks={"value": _show_when_set})
        limits.visible = x_range.visible = y_range.visible = False
        self._rows = (limits, x_range, y_range)
        self.panel = pn.Column(
            pn.Row(self.scale, self.colormap, self.limits_mode, margin=0),
            limits,
            pn.Row(self.x_fixed, self.y_fixed, margin=0),
            x_range,
            y_range,
            pn.Row(self.history, self.show_errors, margin=0),
            margin=0,
        )

    def set_value(self, params: PlotterParams) -> None:
        self._base = params
        self.scale.value = params.scale
        self.colormap.value = params.colormap if params.colormap in COLORMAPS else "viridis"
        limits = params.color_limits
        self.limits_mode.value = limits.mode
        self.limits_low.value, self.limits_high.value = limits.low, limits.high
        for fixed, low, high, axis in (
            (self.x_fixed, self.x_low, self.x_high, params.x_range),
            (self.y_fixed, self.y_low, self.y_high, params.y_range),
        ):
            fixed.value = axis is not None
            low.value = None if axis is None else axis.low
            high.value = None if axis is None else axis.high
        self.history.value = params.history_length
        self.show_errors.value = params.show_errors
        limits_row, x_row, y_row = self._rows
        limits_row.visible = limits.mode == "manual"
        x_row.visible, y_row.visible = params.x_range is not None, params.y_range is not None

    def value(self) -> PlotterParams:
        """The params shown (ValueError naming the problem if they are not valid)."""
        manual = self.limits_mode.value == "manual"
        limits = ColorLimits(
            mode=self.limits_mode.value,
            low=self.limits_low.value if manual else None,
            high=self.limits_high.value if manual else None,
        )
        return PlotterParams(
            **{
                **dict(self._base),
                "scale": self.scale.value,
                "colormap": self.colormap.value,
                "color_limits": limits,
                "x_range": _range(self.x_fixed.value, self.x_low.value, self.x_high.value),
                "y_range": _range(self.y_fixed.value, self.y_low.value, self.y_high.value),
                "history_length": self.history.value,
                "show_errors": self.show_errors.value,
            }
        )


def _number(name: str) -> pn.widgets.FloatInput:
    return pn.widgets.FloatInput(label=name, value=None, width=_WIDTH)


def _range(fixed: bool, low: float | None, high: float | None) -> AxisRange | None:
    if not fixed:
        return None
    if low is None or high is None:
        raise ValueError("a fixed range needs both ends")
    return AxisRange(low=low, high=high)


def _show_when_set(target: pn.viewable.Viewable, event: object) -> None:
    new = getattr(event, "new", None)
    target.visible = bool(new) and new != "auto"
