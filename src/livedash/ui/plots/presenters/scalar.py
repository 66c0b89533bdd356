"""A 0-D value: a large number with its unit, its error, and a small trend line.

Everything is one Bokeh layout (a ``Div`` over a small figure) in one pane, so an
update is two property changes: the ``Div``'s text and the trend's new points
(streamed when the trend grew).
"""

from __future__ import annotations

import html
import time

import numpy as np
import panel as pn
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, Div, HoverTool
from bokeh.plotting import figure

from ....plots.state import ScalarState
from .figures import (
    MUTED,
    TEXT,
    clock_time_axis,
    datetime_ms,
    format_number,
    line_colour,
    style_axes,
    unit_suffix,
)
from .sources import stream_or_replace

TREND_MIN_HEIGHT = 70


class ScalarPresenter:
    """Draws one :class:`ScalarState` (see the module docstring)."""

    def __init__(self, state: ScalarState) -> None:
        self.div = Div(text=scalar_html(state), sizing_mode="stretch_width", margin=(4, 8))
        self._drawn = _columns(state)
        self._source = ColumnDataSource(dict(self._drawn))
        hover = HoverTool(
            tooltips=[("time", "@t{%F %T}"), (state.label, "@v{0,0.[000]}")],
            formatters={"@t": "datetime"},
        )
        self.trend = figure(
            x_axis_type="datetime",
            tools=[hover],
            toolbar_location=None,
            sizing_mode="stretch_both",
            min_height=TREND_MIN_HEIGHT,
            outline_line_color=None,
        )
        style_axes(self.trend)
        clock_time_axis(self.trend)
        self.trend.yaxis.major_label_text_font_size = "11px"
        self.trend.xaxis.major_label_text_font_size = "11px"
        colour = line_colour(0)
        self.trend.line(x="t", y="v", source=self._source, line_color=colour, line_width=2)
        self.layout = column(self.div, self.trend, sizing_mode="stretch_both")
        self.panel = pn.pane.Bokeh(self.layout, sizing_mode="stretch_both", margin=0)

    def update(self, state: ScalarState) -> None:
        text = scalar_html(state)
        if self.div.text != text:
            self.div.text = text
        new = _columns(state)
        stream_or_replace(self._source, self._drawn, new, key="t")
        self._drawn = new


def scalar_html(state: ScalarState) -> str:
    """The number block: value and unit large, then error, label and time of the value."""
    unit = unit_suffix(state.unit).strip()
    error = "" if state.error is None else f"± {format_number(state.error)}"
    stamp = ""
    if state.time_ns is not None:
        stamp = time.strftime("%H:%M:%S UTC", time.gmtime(state.time_ns / 1e9))
    facts = " · ".join(html.escape(p) for p in (error, state.title, stamp) if p)
    return (
        '<div style="font-family: system-ui, sans-serif; text-align: center; '
        f'color: {TEXT}; line-height: 1.15">'
        '<div style="font-size: 46px; font-weight: 600; font-variant-numeric: tabular-nums">'
        f"{html.escape(format_number(state.value))}"
        f'<span style="font-size: 22px; font-weight: 400; color: {MUTED}; margin-left: 8px">'
        f"{html.escape(unit)}</span></div>"
        f'<div style="font-size: 15px; color: {MUTED}">{facts}</div></div>'
    )


def _columns(state: ScalarState) -> dict[str, np.ndarray]:
    return {
        "t": datetime_ms(state.history_times),
        "v": np.asarray(state.history_values, dtype=np.float64),
    }
