"""The dialog's choices resolve to wire outputs and build new layers."""

from __future__ import annotations

import pytest

from livedash.plots.model import PlotterKind, PlotterParams
from livedash.ui.plots import dialog_model as dm

from .data import MONITOR, PANEL, READINGS, TOTAL, dummy
from .harness import layer, ref


def choice(**changes: object) -> dm.LayerChoice:
    base = {
        "workflow_id": MONITOR,
        "sources": ("monitor1",),
        "view_name": "histogram",
        "windowing": "since_start",
    }
    return dm.LayerChoice(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("view", "windowing", "output"),
    [
        ("histogram", "since_start", "cumulative"),
        ("histogram", "per_update", "current"),
        ("total_counts", "since_start", "counts_total_cumulative"),
        ("total_counts", "per_update", "counts_total"),
    ],
)
def test_view_and_windowing_resolve_to_the_wire_output(
    view: str, windowing: str, output: str
) -> None:
    spec = dummy().workflow(MONITOR)
    assert dm.resolve(spec, view, windowing, "monitor1").output_name == output


def test_windowing_options_are_what_the_view_offers() -> None:
    spec = dummy().workflow(READINGS)
    assert list(dm.windowing_options(spec, "delta").values()) == ["per_update"]


@pytest.mark.parametrize(
    ("workflow", "output", "kind"),
    [
        (PANEL, "cumulative", PlotterKind.IMAGE),
        (MONITOR, "cumulative", PlotterKind.LINE),
        (MONITOR, "counts_total", PlotterKind.SCALAR),
        (READINGS, "delta", PlotterKind.TIMESERIES),
    ],
)
def test_the_output_template_hints_at_the_plotter(workflow, output, kind) -> None:
    spec = dummy().workflow(workflow)
    assert dm.expected_kind(spec.outputs[output]) is kind
    assert next(iter(dm.plotter_options(kind))).startswith("Automatic (")


def test_one_new_layer_per_source() -> None:
    built = dm.build_layers(dummy(), choice(sources=("monitor1", "monitor2"), title="M"))
    assert [la.roles["primary"].source_name for la in built] == ["monitor1", "monitor2"]
    assert [la.title for la in built] == ["M (monitor1)", "M (monitor2)"]
    assert built[0].layer_id != built[1].layer_id


def test_no_source_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one source"):
        dm.build_layers(dummy(), choice(sources=()))


def test_correlation_needs_an_x_axis() -> None:
    with pytest.raises(ValueError, match="x axis"):
        dm.build_layers(dummy(), choice(view_name="total_counts", plotter=PlotterKind.CORRELATION))


def test_an_x_axis_follows_the_primarys_windowing_when_offered() -> None:
    axis = dm.AxisChoice(PANEL, "panel_0", "total_counts")
    (built,) = dm.build_layers(
        dummy(), choice(view_name="total_counts", windowing="per_update", x_axis=axis)
    )
    assert built.plotter is PlotterKind.CORRELATION
    assert built.roles["x_axis"].output_name == "counts_total"


def test_axis_options_are_zero_d_and_not_series() -> None:
    options = dm.axis_options(dummy()).values()
    assert dm.AxisChoice(TOTAL, "panel_0", "total_counts") in options
    assert all(o.workflow_id != READINGS for o in options)


def test_an_existing_layer_gives_back_its_choices() -> None:
    config = layer(ref(MONITOR, "monitor2", "current"), plotter=PlotterKind.LINE)
    config = config.model_copy(update={"params": PlotterParams(scale="log")})
    recovered = dm.choice_for(dummy(), config)
    assert (recovered.view_name, recovered.windowing) == ("histogram", "per_update")
    assert recovered.sources == ("monitor2",)
    (rebuilt,) = dm.build_layers(dummy(), recovered)
    assert rebuilt.roles == config.roles
    assert rebuilt.params == config.params
    assert rebuilt.layer_id != config.layer_id
