"""Presenters: plot states drawn with Bokeh once, then updated in place.

One module per plot family (:mod:`.scalar`, :mod:`.line`, :mod:`.image` (2-D and the
3-D slicer), :mod:`.timeseries`, :mod:`.correlation`), sharing the look
(:mod:`.figures`), the overlays (:mod:`.annotations`) and the data transfer
(:mod:`.sources`). A presenter builds its figure from the first state and afterwards
only changes properties of the models it made (source data, colour limits, text): an
ordinary update creates no Bokeh model and replaces no pane. Whether a new state can be
shown that way is :func:`presenter_signature`; when it changes the caller builds a new
presenter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import panel as pn
from bokeh.plotting import figure

from ....plots.state import (
    CorrelationState,
    ImageState,
    LineState,
    PlotState,
    ScalarState,
    Signature,
    TimeseriesState,
)
from .annotations import overlay_kinds
from .correlation import CorrelationPresenter
from .image import ImagePresenter
from .line import LinePresenter
from .scalar import ScalarPresenter
from .timeseries import TimeseriesPresenter

__all__ = [
    "CorrelationPresenter",
    "ImagePresenter",
    "LinePresenter",
    "Presenter",
    "ScalarPresenter",
    "TimeseriesPresenter",
    "build_presenter",
    "can_overlay",
    "presenter_signature",
]


class Presenter(Protocol):
    """What the cells use of a presenter."""

    @property
    def panel(self) -> pn.viewable.Viewable: ...

    def update(self, state: Any) -> None: ...


def presenter_signature(state: PlotState) -> Signature:
    """What must stay equal for :meth:`Presenter.update`: the state's shape signature,
    its fixed axis ranges and the kinds of overlays it draws."""
    ranges = (getattr(state, "x_range", None), getattr(state, "y_range", None))
    return (state.shape_signature, ranges, overlay_kinds(state.overlays))


def can_overlay(base: PlotState, other: PlotState) -> bool:
    """Whether ``other`` can be drawn into the figure of ``base`` (same kind of line
    plot, same x axis and value scale)."""
    if isinstance(base, LineState) and isinstance(other, LineState):
        return (base.x.dim, base.x.unit, base.log) == (other.x.dim, other.x.unit, other.log)
    if isinstance(base, TimeseriesState) and isinstance(other, TimeseriesState):
        return base.log == other.log
    if isinstance(base, CorrelationState) and isinstance(other, CorrelationState):
        return base.x_label == other.x_label and base.colour is None and other.colour is None
    return False


def build_presenter(
    state: PlotState,
    *,
    fig: figure | None = None,
    index: int = 0,
    legend: str = "",
    on_slice: Callable[[int], None] | None = None,
) -> Presenter:
    """A new presenter for ``state``; line families draw into ``fig`` when given."""
    if isinstance(state, ScalarState):
        return ScalarPresenter(state)
    if isinstance(state, ImageState):
        return ImagePresenter(state, on_slice=on_slice)
    if isinstance(state, LineState):
        return LinePresenter(state, fig=fig, index=index, legend=legend)
    if isinstance(state, TimeseriesState):
        return TimeseriesPresenter(state, fig=fig, index=index, legend=legend)
    if isinstance(state, CorrelationState):
        return CorrelationPresenter(state, fig=fig, index=index, legend=legend)
    raise TypeError(f"no presenter for {type(state).__name__}")
