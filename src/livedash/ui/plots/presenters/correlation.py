"""One 0-D value against another over time: markers joined in time order.

With a colour role the markers are coloured by it (colour bar on the right, limits
following the data). Only new points are streamed when the history grew.
"""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColorBar, ColumnDataSource, LinearColorMapper
from bokeh.plotting import figure

from ....plots.state import CorrelationState
from .annotations import Annotations
from .figures import (
    NAN_COLOUR,
    TEXT,
    datetime_ms,
    hover_on,
    line_colour,
    new_figure,
    palette,
    save_name,
)
from .sources import stream_or_replace


class CorrelationPresenter:
    """Draws one :class:`CorrelationState` (see the module docstring)."""

    def __init__(
        self,
        state: CorrelationState,
        *,
        fig: figure | None = None,
        index: int = 0,
        legend: str = "",
    ) -> None:
        self.figure = fig if fig is not None else _figure(state)
        colour = line_colour(index)
        self._drawn = _columns(state)
        self._source = ColumnDataSource(dict(self._drawn))
        label = {"legend_label": legend} if legend else {}
        self.figure.line(
            x="x", y="y", source=self._source, line_color=colour, line_alpha=0.35, line_width=1
        )
        self._mapper: LinearColorMapper | None = None
        if state.colour is not None:
            low, high = _limits(state.colour)
            self._mapper = LinearColorMapper(
                palette=palette("viridis"), low=low, high=high, nan_color=NAN_COLOUR
            )
            fill = {"field": "c", "transform": self._mapper}
            bar = ColorBar(
                color_mapper=self._mapper, title=state.colour_label or "", title_text_color=TEXT
            )
            self.figure.add_layout(bar, "right")
        else:
            fill = colour  # type: ignore[assignment]
        markers = self.figure.scatter(
            x="x",
            y="y",
            source=self._source,
            size=7,
            fill_color=fill,
            line_color=colour,
            line_alpha=0.6,
            **label,
        )
        hover_on(self.figure, markers)
        self._annotations = Annotations(self.figure, state.overlays)
        self._pane: pn.pane.Bokeh | None = None

    @property
    def panel(self) -> pn.pane.Bokeh:
        if self._pane is None:
            self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_both", margin=0)
        return self._pane

    def update(self, state: CorrelationState) -> None:
        new = _columns(state)
        stream_or_replace(self._source, self._drawn, new, key="t")
        self._drawn = new
        if self._mapper is not None and state.colour is not None:
            low, high = _limits(state.colour)
            if (self._mapper.low, self._mapper.high) != (low, high):
                self._mapper.update(low=low, high=high)
        self._annotations.update(state.overlays)


def _figure(state: CorrelationState) -> figure:
    tooltips = [(state.x_label, "@x{0,0.[000]}"), (state.y_label, "@y{0,0.[000]}")]
    if state.colour_label:
        tooltips.append((state.colour_label, "@c{0,0.[000]}"))
    tooltips.append(("time", "@t{%F %T}"))
    return new_figure(
        x_label=state.x_label,
        y_label=state.y_label,
        save_name=save_name(state.title),
        tooltips=tooltips,
        formatters={"@t": "datetime"},
    )


def _columns(state: CorrelationState) -> dict[str, np.ndarray]:
    columns = {"t": datetime_ms(state.times), "x": state.x, "y": state.y}
    if state.colour is not None:
        columns["c"] = state.colour
    return columns


def _limits(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)
