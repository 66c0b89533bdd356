"""Values over time on a datetime axis (UTC), as a line with small markers.

A new state of the same layer is usually the drawn history with samples appended (and
the oldest dropped): only the new samples are streamed to the browser
(:func:`~.sources.stream_or_replace`). Compatible time series share one figure.
"""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from ....plots.state import TimeseriesState
from .annotations import Annotations
from .figures import datetime_ms, hover_on, line_colour, new_figure, save_name
from .sources import stream_or_replace

TIME_LABEL = "Time (UTC)"


class TimeseriesPresenter:
    """Draws one :class:`TimeseriesState` (see the module docstring)."""

    def __init__(
        self,
        state: TimeseriesState,
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
            x="t", y="v", source=self._source, line_color=colour, line_width=2, **label
        )
        markers = self.figure.scatter(
            x="t", y="v", source=self._source, size=4, fill_color=colour, line_alpha=0
        )
        hover_on(self.figure, markers)
        if legend:
            self.figure.legend.location = "top_left"
            self.figure.legend.click_policy = "hide"
            self.figure.legend.label_text_font_size = "13px"
            self.figure.legend.background_fill_alpha = 0.75
        self._annotations = Annotations(self.figure, state.overlays)
        self._pane: pn.pane.Bokeh | None = None
        self.last_send = "replace"

    @property
    def panel(self) -> pn.pane.Bokeh:
        if self._pane is None:
            self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_both", margin=0)
        return self._pane

    def update(self, state: TimeseriesState) -> None:
        """Stream the new samples (or replace the history if it is not an append)."""
        new = _columns(state)
        self.last_send = stream_or_replace(self._source, self._drawn, new, key="t")
        self._drawn = new
        self._annotations.update(state.overlays)


def _figure(state: TimeseriesState) -> figure:
    return new_figure(
        x_label=TIME_LABEL,
        y_label=state.value_label,
        x_type="datetime",
        y_type="log" if state.log else "linear",
        y_range=state.y_range,
        save_name=save_name(state.title),
        tooltips=[("time", "@t{%F %T}"), (state.value_label, "@v{0,0.[000]}")],
        formatters={"@t": "datetime"},
    )


def _columns(state: TimeseriesState) -> dict[str, np.ndarray]:
    return {"t": datetime_ms(state.times), "v": np.asarray(state.values, dtype=np.float64)}
