"""1-D data: steps over bin edges (histograms), a line through points otherwise.

Error bars (vertical segments at the bin centres) when the state carries standard
deviations; NaN values leave gaps. A log value scale uses a log y axis (the plotter
already turned values <= 0 into NaN; error bars reaching below zero are left out).
Several compatible line layers share one figure (see :mod:`.compose`): each presenter
adds its own glyphs in its own colour, with a legend entry when ``legend`` is given.

Built once; :meth:`LinePresenter.update` only replaces the data of its two sources.
"""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from ....plots.state import LineState
from .annotations import Annotations
from .figures import hover_on, line_colour, new_figure, save_name
from .sources import replace


class LinePresenter:
    """Draws one :class:`LineState` (see the module docstring)."""

    def __init__(
        self, state: LineState, *, fig: figure | None = None, index: int = 0, legend: str = ""
    ) -> None:
        self.figure = fig if fig is not None else _figure(state)
        colour = line_colour(index)
        self._steps = ColumnDataSource(_step_columns(state))
        self._points = ColumnDataSource(_point_columns(state))
        label = {"legend_label": legend} if legend else {}
        if state.histogram:
            self.figure.step(
                x="x",
                y="y",
                source=self._steps,
                mode="after",
                line_color=colour,
                line_width=2,
                **label,
            )
            markers = self.figure.scatter(
                x="x",
                y="y",
                source=self._points,
                size=9,
                fill_alpha=0,
                line_alpha=0,
                hover_fill_color=colour,
                hover_fill_alpha=0.6,
            )
        else:
            self.figure.line(
                x="x", y="y", source=self._points, line_color=colour, line_width=2, **label
            )
            markers = self.figure.scatter(
                x="x",
                y="y",
                source=self._points,
                size=4,
                fill_color=colour,
                line_alpha=0,
                hover_fill_color=colour,
                hover_line_color=colour,
                hover_line_alpha=1,
            )
        if state.errors is not None:
            self.figure.segment(
                x0="x",
                y0="lo",
                x1="x",
                y1="hi",
                source=self._points,
                line_color=colour,
                line_alpha=0.55,
                line_width=1.5,
            )
        hover_on(self.figure, markers)
        if legend:
            self.figure.legend.location = "top_right"
            self.figure.legend.click_policy = "hide"
            self.figure.legend.label_text_font_size = "13px"
            self.figure.legend.background_fill_alpha = 0.75
        self._annotations = Annotations(self.figure, state.overlays)
        self._pane: pn.pane.Bokeh | None = None

    @property
    def panel(self) -> pn.pane.Bokeh:
        if self._pane is None:
            self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_both", margin=0)
        return self._pane

    def update(self, state: LineState) -> None:
        """New values of the same shape: replace the sources' data (no new model)."""
        replace(self._steps, _step_columns(state))
        replace(self._points, _point_columns(state))
        self._annotations.update(state.overlays)


def _figure(state: LineState) -> figure:
    tooltips = [(state.x.label, "@x{0,0.[000]}"), (state.value_label, "@y{0,0.[000]}")]
    if state.errors is not None:
        tooltips.append(("± error", "@err{0,0.[000]}"))
    return new_figure(
        x_label=state.x.label,
        y_label=state.value_label,
        y_type="log" if state.log else "linear",
        x_range=state.x_range,
        y_range=state.y_range,
        save_name=save_name(state.title),
        tooltips=tooltips,
    )


def _step_columns(state: LineState) -> dict[str, np.ndarray]:
    if not state.histogram or len(state.values) == 0:
        return {"x": np.empty(0), "y": np.empty(0)}
    # mode="after" draws value i from edge i to edge i+1, so the last value closes the
    # last bin at the last edge.
    return {"x": state.x.edges, "y": np.append(state.values, state.values[-1])}


def _point_columns(state: LineState) -> dict[str, np.ndarray]:
    values = state.values
    errors = state.errors if state.errors is not None else np.full(len(values), np.nan)
    low, high = values - errors, values + errors
    if state.log:
        low = np.where(low > 0, low, np.nan)
    return {"x": state.x.centers, "y": values, "err": errors, "lo": low, "hi": high}
