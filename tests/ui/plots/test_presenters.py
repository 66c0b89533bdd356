"""Presenters draw a plot state once and then only change properties of their models."""

from __future__ import annotations

import dataclasses

import numpy as np
import param
import pytest
from bokeh.models import (
    ColorBar,
    HoverTool,
    LinearColorMapper,
    LogColorMapper,
    SaveTool,
    Segment,
)

from livedash.plots.model import Overlay, PlotterParams
from livedash.plots.state import CorrelationState
from livedash.ui.plots.presenters import (
    CorrelationPresenter,
    ImagePresenter,
    LinePresenter,
    ScalarPresenter,
    TimeseriesPresenter,
    presenter_signature,
)
from livedash.ui.plots.presenters.image import image_columns

from .data import LAYERS, MONITOR, PANEL, TOTAL, image_data, series, state, wire
from .harness import ModelCounter


def image_state(step: int = 0, **params: object):
    return state(wire(PANEL, "panel_0", "cumulative", step), params=PlotterParams(**params))


def test_image_update_creates_no_bokeh_model(models: ModelCounter) -> None:
    presenter = ImagePresenter(image_state(0))
    figure = presenter.figure
    with models.counting() as created:
        presenter.update(image_state(1))
    assert created == []
    assert presenter.figure is figure
    assert presenter.panel.object is figure


def test_image_update_replaces_the_pixels_and_colour_limits() -> None:
    presenter = ImagePresenter(image_state(0))
    new = image_state(3)
    presenter.update(new)
    source = presenter.figure.renderers[0].data_source
    np.testing.assert_array_equal(source.data["image"][0], new.values.astype(np.float32))
    mapper = presenter.figure.select_one(LinearColorMapper)
    assert (mapper.low, mapper.high) == new.color_limits


def test_image_has_units_in_the_colour_bar_and_hover_and_a_png_save_tool() -> None:
    presenter = ImagePresenter(image_state(0))
    bar = presenter.figure.select_one(ColorBar)
    assert bar.title == "Image [counts]"
    tooltips = dict(presenter.figure.select_one(HoverTool).tooltips)
    assert tooltips["Image [counts]"].startswith("@image")
    assert presenter.figure.select_one(SaveTool) is not None


def test_missing_pixels_are_transparent() -> None:
    values = np.arange(16.0).reshape(4, 4)
    values[1, 2] = np.nan
    presenter = ImagePresenter(state(image_data(values)))
    mapper = presenter.figure.select_one(LinearColorMapper)
    assert mapper.nan_color == "rgba(0, 0, 0, 0)"
    assert np.isnan(presenter.figure.renderers[0].data_source.data["image"][0][1, 2])


def test_log_colour_masks_values_at_or_below_zero() -> None:
    values = np.array([[-1.0, 0.0], [1.0, 100.0]])
    log = state(image_data(values), params=PlotterParams(scale="log"))
    image = image_columns(log)["image"][0]
    assert np.isnan(image[0, 0])
    assert np.isnan(image[0, 1])
    assert image[1, 0] == 1.0
    mapper = ImagePresenter(log).figure.select_one(LogColorMapper)
    assert mapper.low > 0


def test_log_scale_is_a_new_shape_signature() -> None:
    assert presenter_signature(image_state(0)) != presenter_signature(image_state(0, scale="log"))


def test_same_shape_new_values_keep_the_presenter_signature() -> None:
    assert presenter_signature(image_state(0)) == presenter_signature(image_state(4))


def test_slicer_slider_reports_the_chosen_slice() -> None:
    chosen: list[int] = []
    presenter = ImagePresenter(state(wire(LAYERS, "panel_0", "cumulative")), on_slice=chosen.append)
    assert presenter.slider is not None
    assert (presenter.slider.start, presenter.slider.end) == (0, 3)
    with param.edit_constant(presenter.slider):  # what the browser does on release
        presenter.slider.value_throttled = 2
    assert chosen == [2]


def histogram_state(step: int = 0, **params: object):
    return state(wire(MONITOR, "monitor1", "cumulative", step), params=PlotterParams(**params))


def test_histogram_is_drawn_as_steps_over_the_bin_edges_with_error_bars() -> None:
    histogram = histogram_state()
    presenter = LinePresenter(histogram)
    kinds = {type(r.glyph).__name__ for r in presenter.figure.renderers}
    assert {"Step", "Segment"} <= kinds
    steps = next(r for r in presenter.figure.renderers if type(r.glyph).__name__ == "Step")
    np.testing.assert_array_equal(steps.data_source.data["x"], histogram.x.edges)
    assert presenter.figure.xaxis[0].axis_label == "Time of arrival [ms]"


def test_line_without_variances_has_no_error_bars() -> None:
    presenter = LinePresenter(histogram_state(show_errors=False))
    assert not presenter.figure.select({"type": Segment})


def test_line_update_creates_no_bokeh_model(models: ModelCounter) -> None:
    presenter = LinePresenter(histogram_state(0))
    with models.counting() as created:
        presenter.update(histogram_state(1))
    assert created == []


def test_timeseries_update_streams_only_the_new_samples(models: ModelCounter) -> None:
    presenter = TimeseriesPresenter(state(series(steps=1)))
    with models.counting() as created:
        presenter.update(state(series(steps=2)))
    assert created == []
    assert presenter.last_send == "stream"
    assert presenter.figure.xaxis[0].axis_label == "Time (UTC)"


def test_timeseries_that_is_not_an_append_is_replaced() -> None:
    presenter = TimeseriesPresenter(state(series(steps=2)))
    presenter.update(state(series("motion2", steps=1)))
    assert presenter.last_send == "replace"


def test_scalar_shows_value_with_unit_and_updates_in_place(models: ModelCounter) -> None:
    first = state(wire(TOTAL, "panel_0", "total_counts", 0))
    presenter = ScalarPresenter(first)
    assert "counts" in presenter.div.text
    with models.counting() as created:
        presenter.update(state(wire(TOTAL, "panel_0", "total_counts", 1), previous=first))
    assert created == []
    assert presenter.trend.renderers[0].data_source.data["v"].size == 2


def test_correlation_with_colour_has_a_colour_bar() -> None:
    times = np.array([1, 2, 3], dtype="datetime64[s]").astype("datetime64[ns]")
    correlation = CorrelationState(
        title="c",
        times=times,
        x=np.array([1.0, 2.0, 3.0]),
        y=np.array([2.0, 4.0, 6.0]),
        colour=np.array([5.0, 6.0, 7.0]),
        x_label="Position [mm]",
        y_label="Counts [counts]",
        colour_label="Rate [1/s]",
    )
    presenter = CorrelationPresenter(correlation)
    assert presenter.figure.select_one(ColorBar).title == "Rate [1/s]"
    assert presenter.figure.xaxis[0].axis_label == "Position [mm]"


@pytest.mark.parametrize("kind", ["line", "rect", "text"])
def test_overlays_are_drawn_and_updated_in_place(kind: str, models: ModelCounter) -> None:
    coordinates = {"line": (0, 0, 10, 10), "rect": (1, 1, 5, 5), "text": (3, 3)}[kind]
    overlay = Overlay(kind=kind, coordinates=coordinates, label="ROI")
    base = image_state(0)
    presenter = ImagePresenter(_with_overlays(base, overlay))
    moved = Overlay(kind=kind, coordinates=tuple(c + 1 for c in coordinates), label="ROI")
    with models.counting() as created:
        presenter.update(_with_overlays(image_state(1), moved))
    assert created == []
    sources = [r.data_source for r in presenter.figure.renderers[1:]]
    assert len(sources) == 1
    first_column = next(iter(sources[0].data.values()))
    assert first_column[0] == min(coordinates[0], coordinates[-2]) + 1


def _with_overlays(image, *overlays: Overlay):
    return dataclasses.replace(image, overlays=overlays)
