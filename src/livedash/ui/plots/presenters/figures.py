"""The one place that decides how a plot looks: figure factory, palettes, number formats.

Calm control-room styling: white plot area, faint grid, dark-grey axes, labels large
enough to read from a few metres, no plot title (the cell's title bar names the plot),
a toolbar that appears on hover. Every figure fills its cell (``stretch_both``) and has
pan, box zoom, wheel zoom, reset, save (PNG) and a hover tool the presenter fills in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bokeh import palettes
from bokeh.models import (
    BasicTickFormatter,
    DatetimeTickFormatter,
    HoverTool,
    Range1d,
    SaveTool,
)
from bokeh.plotting import figure

from ....plots.model import AxisRange

TEXT = "#2b3a4a"
MUTED = "#5f6b76"
GRID = "#e6e9ee"
AXIS = "#8a96a3"
# Distinct but calm line colours, readable on white; the first is the default.
LINE_COLOURS = ("#1f5f9e", "#c0561a", "#2e7d32", "#7b3f9e", "#8c6d1f", "#00838f", "#b03060")
NAN_COLOUR = "rgba(0, 0, 0, 0)"
COLORMAPS: dict[str, tuple[str, ...]] = {
    "viridis": palettes.Viridis256,
    "magma": palettes.Magma256,
    "inferno": palettes.Inferno256,
    "plasma": palettes.Plasma256,
    "cividis": palettes.Cividis256,
    "turbo": palettes.Turbo256,
    "greys": palettes.Greys256[::-1],
}
MIN_HEIGHT = 160
MIN_WIDTH = 200


def palette(name: str) -> tuple[str, ...]:
    """The 256-colour palette called ``name`` (viridis for an unknown name)."""
    return COLORMAPS.get(name.lower(), COLORMAPS["viridis"])


def line_colour(index: int) -> str:
    return LINE_COLOURS[index % len(LINE_COLOURS)]


def new_figure(
    *,
    x_label: str,
    y_label: str,
    x_type: str = "linear",
    y_type: str = "linear",
    x_range: AxisRange | None = None,
    y_range: AxisRange | None = None,
    save_name: str = "livedash-plot",
    tooltips: Sequence[tuple[str, str]] | None = None,
    formatters: dict[str, str] | None = None,
) -> figure:
    """A styled, responsive figure; fixed axis ranges when given."""
    hover = HoverTool(tooltips=list(tooltips or []), formatters=formatters or {})
    extra = {}
    if x_range is not None:
        extra["x_range"] = Range1d(x_range.low, x_range.high)
    if y_range is not None:
        extra["y_range"] = Range1d(y_range.low, y_range.high)
    fig = figure(
        x_axis_type=x_type,
        y_axis_type=y_type,
        x_axis_label=x_label,
        y_axis_label=y_label,
        tools=["pan", "box_zoom", "wheel_zoom", "reset", SaveTool(filename=save_name), hover],
        active_drag="box_zoom",
        toolbar_location="above",
        toolbar_inner=True,
        min_border_right=18,
        min_border_top=10,
        sizing_mode="stretch_both",
        min_height=MIN_HEIGHT,
        min_width=MIN_WIDTH,
        background_fill_color="#ffffff",
        border_fill_color="#ffffff",
        outline_line_color=None,
        **extra,
    )
    fig.toolbar.autohide = True
    fig.toolbar.logo = None
    style_axes(fig)
    for axis_type, axes in ((x_type, fig.xaxis), (y_type, fig.yaxis)):
        if axis_type == "linear":
            for axis in axes:
                axis.formatter = plain_number_ticks()
    if x_type == "datetime":
        clock_time_axis(fig)
    return fig


def plain_number_ticks() -> BasicTickFormatter:
    """Tick labels without exponents from 1e-4 to 1e9 (``200000``, not ``2.000e+5``):
    counts in a control room run to millions, and Bokeh switches at 1e5 by default."""
    return BasicTickFormatter(power_limit_high=9, power_limit_low=-4)


def style_axes(fig: figure) -> None:
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.axis_label_text_font_size = "14px"
        axis.axis_label_text_font_style = "normal"
        axis.axis_label_text_color = TEXT
        axis.major_label_text_font_size = "13px"
        axis.major_label_text_color = TEXT
        axis.axis_line_color = AXIS
        axis.major_tick_line_color = AXIS
        axis.minor_tick_line_color = None
    for grid in (*fig.xgrid, *fig.ygrid):
        grid.grid_line_color = GRID


def save_name(title: str) -> str:
    """A file name for the save tool from a plot title (``Panel 0: image`` ->
    ``Panel_0_image``)."""
    cleaned = "".join(c if c.isalnum() else "_" for c in title).strip("_")
    return "_".join(part for part in cleaned.split("_") if part) or "livedash-plot"


def format_number(value: float) -> str:
    """A value for a person: thousands separators, 4 significant digits when large/small."""
    if not np.isfinite(value):
        return "–"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e9 or magnitude < 1e-3):
        return f"{value:.4g}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:,.1f}"
    return f"{value:,.4g}"


def unit_suffix(unit: str | None) -> str:
    """`` counts`` for a unit, empty for unit-less or dimensionless values."""
    return "" if unit in (None, "", "dimensionless") else f" {unit}"


def datetime_ms(times: np.ndarray) -> np.ndarray:
    """datetime64 values as float milliseconds since the epoch (Bokeh's datetime axis)."""
    return times.astype("datetime64[ns]").astype(np.int64) / 1e6


def hover_on(fig: figure, renderer: object) -> None:
    """Let the figure's hover tool report ``renderer`` (besides those it reports)."""
    hover = fig.select_one(HoverTool)
    current = hover.renderers if isinstance(hover.renderers, list) else []
    hover.renderers = [*current, renderer]


def clock_time_axis(fig: figure) -> None:
    """Datetime ticks as wall-clock times (UTC), never bare ``500ms`` or ``:05``."""
    formatter = DatetimeTickFormatter(
        milliseconds="%H:%M:%S.%3N",
        seconds="%H:%M:%S",
        minsec="%H:%M:%S",
        minutes="%H:%M",
        hourmin="%H:%M",
        hours="%H:%M",
        days="%Y-%m-%d",
        months="%Y-%m",
    )
    for axis in fig.xaxis:
        axis.formatter = formatter
