"""2-D data as an image with a colour bar; 3-D data as one slice with a slider.

- linear or log colour (a log mapper never sees values <= 0: they are NaN, drawn
  transparent like every missing pixel); limits from the state (auto or manual);
- axis labels with units from the state, the value label (with unit) on the colour bar
  and in the hover tool;
- the slicer's slider (outer dim) calls ``on_slice(index)``, which the Plots tab turns
  into ``set_local_params(layer_id, slice_index=...)``: a session-local setting.

Built once per shape signature; :meth:`ImagePresenter.update` replaces the image data
and sets the colour limits, palette and slider as properties (no new Bokeh model).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import panel as pn
from bokeh.models import (
    ColorBar,
    ColumnDataSource,
    DataRange1d,
    HoverTool,
    LinearColorMapper,
    LogColorMapper,
)

from ....plots.state import Axis, ImageState
from .annotations import Annotations
from .figures import NAN_COLOUR, TEXT, new_figure, palette, save_name
from .sources import replace

# Room right of the image for the colour bar, its title and its labels (e.g. 1.5e+05).
COLOUR_BAR_ROOM = 96


class ImagePresenter:
    """Draws one :class:`ImageState` (see the module docstring)."""

    def __init__(self, state: ImageState, *, on_slice: Callable[[int], None] | None = None) -> None:
        low, high = color_limits(state)
        mapper_type = LogColorMapper if state.log else LinearColorMapper
        self._mapper = mapper_type(
            palette=palette(state.colormap), low=low, high=high, nan_color=NAN_COLOUR
        )
        self._source = ColumnDataSource(image_columns(state))
        self.figure = new_figure(
            x_label=state.x.label,
            y_label=state.y.label,
            x_range=state.x_range,
            y_range=state.y_range,
            save_name=save_name(state.title),
            tooltips=[
                (state.x.label, "$x{0,0.[00]}"),
                (state.y.label, "$y{0,0.[00]}"),
                (state.value_label, "@image{0,0.[000]}"),
            ],
        )
        for axis_range in (self.figure.x_range, self.figure.y_range):
            if isinstance(axis_range, DataRange1d):
                axis_range.range_padding = 0
        renderer = self.figure.image(
            image="image",
            x="x",
            y="y",
            dw="dw",
            dh="dh",
            source=self._source,
            color_mapper=self._mapper,
        )
        self.figure.select_one(HoverTool).renderers = [renderer]
        for grid in (*self.figure.xgrid, *self.figure.ygrid):
            grid.visible = False
        bar = ColorBar(
            color_mapper=self._mapper,
            title=state.value_label,
            title_text_color=TEXT,
            title_text_font_size="13px",
            title_text_font_style="normal",
            major_label_text_font_size="12px",
            major_label_text_color=TEXT,
            width=14,
            padding=6,
            # Anchored at the panel's left: Bokeh sizes the panel before the first layout
            # has tick labels (it needs the bar's length), so the labels must have room
            # to the right of the bar instead of being pushed out of the cell.
            location=(0, 0),
        )
        self.figure.min_border_right = COLOUR_BAR_ROOM
        self.figure.add_layout(bar, "right")
        self._annotations = Annotations(self.figure, state.overlays)
        self._on_slice = on_slice
        self.slider: pn.widgets.IntSlider | None = None
        plot = pn.pane.Bokeh(self.figure, sizing_mode="stretch_both", margin=0)
        self.plot_pane = plot
        if state.slice is None:
            self.panel: pn.viewable.Viewable = plot
            return
        self.slider = pn.widgets.IntSlider(
            label=slice_label(state),
            show_value=False,
            start=0,
            end=max(state.slice.count - 1, 1),
            value=state.slice.index,
            disabled=state.slice.count < 2,
            sizing_mode="stretch_width",
            margin=(0, 16, 2, 16),
        )
        self.slider.param.watch(self._slice_moved, "value_throttled")
        self.panel = pn.Column(self.slider, plot, sizing_mode="stretch_both", margin=0)

    def update(self, state: ImageState) -> None:
        """New values of the same shape: new image data, limits, palette and slice."""
        replace(self._source, image_columns(state))
        low, high = color_limits(state)
        if (self._mapper.low, self._mapper.high) != (low, high):
            self._mapper.update(low=low, high=high)
        colours = palette(state.colormap)
        if tuple(self._mapper.palette) != colours:
            self._mapper.palette = list(colours)
        self._annotations.update(state.overlays)
        if self.slider is not None and state.slice is not None:
            if self.slider.value != state.slice.index:
                self.slider.value = state.slice.index
            if self.slider.label != slice_label(state):
                self.slider.label = slice_label(state)

    def _slice_moved(self, event: object) -> None:
        index = getattr(event, "new", None)
        if self._on_slice is not None and isinstance(index, int):
            self._on_slice(index)


def slice_label(state: ImageState) -> str:
    """``Time of flight = 2.5 ms · 1 of 4``: the slice shown, and where it is."""
    info = state.slice
    if info is None:
        return ""
    return f"{info.label} · {info.index + 1} of {info.count}"


def color_limits(state: ImageState) -> tuple[float, float]:
    """The mapper's (low, high): the state's limits, widened when empty or degenerate.

    A log mapper gets positive limits only.
    """
    limits = state.color_limits
    if state.log:
        if limits is None or limits[1] <= 0:
            return 1.0, 10.0
        low = limits[0] if limits[0] > 0 else limits[1] / 1e3
        return (low, limits[1]) if limits[1] > low else (low, low * 10.0)
    if limits is None:
        return 0.0, 1.0
    low, high = limits
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def image_columns(state: ImageState) -> dict[str, list]:
    """The image source's data: float32 values (NaN missing; log: values <= 0 too)."""
    values = np.asarray(state.values, dtype=np.float32)
    if state.log:
        values = np.where(values > 0, values, np.float32(np.nan))
    if values.size == 0:
        return {"image": [], "x": [], "y": [], "dw": [], "dh": []}
    values, (x0, dw) = _along(values, state.x, along=1)
    values, (y0, dh) = _along(values, state.y, along=0)
    return {"image": [values], "x": [x0], "y": [y0], "dw": [dw], "dh": [dh]}


def _along(
    values: np.ndarray, coord: Axis, *, along: int
) -> tuple[np.ndarray, tuple[float, float]]:
    first, last = float(coord.edges[0]), float(coord.edges[-1])
    if last < first:
        # Bokeh draws from the lowest coordinate: flip a descending axis.
        return np.flip(values, axis=along), (last, first - last)
    return values, (first, last - first)
