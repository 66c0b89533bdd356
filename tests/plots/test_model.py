from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from livedash.plots.model import (
    AxisRange,
    ColorLimits,
    GridSet,
    LayerConfig,
    Overlay,
    PlotterKind,
    PlotterParams,
)

from .factories import MONITOR, cell, grid, layer, ref


def test_layer_needs_a_primary_role() -> None:
    with pytest.raises(ValidationError, match="primary"):
        LayerConfig(roles={"x_axis": ref()})


def test_correlation_needs_an_x_axis() -> None:
    with pytest.raises(ValidationError, match="x_axis"):
        layer(plotter=PlotterKind.CORRELATION)


def test_extra_roles_need_the_correlation_or_auto_plotter() -> None:
    with pytest.raises(ValidationError, match="correlation"):
        layer(plotter=PlotterKind.IMAGE, x_axis=ref(MONITOR, "monitor1", "counts_total"))
    layer(plotter=PlotterKind.AUTO, x_axis=ref(MONITOR, "monitor1", "counts_total"))


def test_y_axis_needs_an_x_axis() -> None:
    with pytest.raises(ValidationError, match="y_axis"):
        layer(y_axis=ref())


def test_unknown_role_is_rejected() -> None:
    with pytest.raises(ValidationError):
        LayerConfig.model_validate({"roles": {"primary": ref(), "colour": ref()}})


def test_cells_must_fit_the_grid() -> None:
    with pytest.raises(ValidationError, match="does not fit"):
        grid(cell(1, 1, rows=2), nrows=2, ncols=2)


def test_cells_must_not_overlap() -> None:
    with pytest.raises(ValidationError, match="overlap"):
        grid(cell(0, 0, rows=2), cell(1, 0))


def test_spanning_cells_side_by_side_are_fine() -> None:
    built = grid(cell(0, 0, rows=2), cell(0, 1, rows=2))
    assert len(built.cells) == 2


def test_layer_ids_are_unique_across_grids() -> None:
    shared = layer()
    with pytest.raises(ValidationError, match="layer id"):
        GridSet(grids=(grid(cell(0, 0, shared)), grid(cell(0, 0, shared))))


def test_grid_ids_are_unique() -> None:
    one = grid()
    with pytest.raises(ValidationError, match="grid id"):
        GridSet(grids=(one, one))


def test_models_are_frozen() -> None:
    built = layer()
    with pytest.raises(ValidationError):
        built.title = "changed"  # type: ignore[misc]


def test_gridset_round_trips_through_json() -> None:
    overlay = Overlay(kind="text", coordinates=(1.0, 2.0), label="beam centre")
    params = PlotterParams(
        scale="log",
        color_limits=ColorLimits(mode="manual", low=1, high=10),
        x_range=AxisRange(low=0, high=1),
    )
    built = LayerConfig(roles={"primary": ref()}, params=params, overlays=(overlay,))
    gridset = GridSet(grids=(grid(cell(0, 0, built)),))
    assert GridSet.model_validate_json(gridset.model_dump_json()) == gridset


def test_data_ref_serialises_the_workflow_id_as_its_string_form() -> None:
    assert ref().model_dump(mode="json")["workflow_id"] == "dummy/panel_0_xy/1"


@pytest.mark.parametrize(
    ("kind", "coordinates"), [("line", (1.0, 2.0)), ("rect", (1.0,)), ("text", (1.0, 2.0, 3.0))]
)
def test_overlay_needs_the_right_number_of_coordinates(
    kind: str, coordinates: tuple[float, ...]
) -> None:
    with pytest.raises(ValidationError, match="coordinates"):
        Overlay(kind=kind, coordinates=coordinates)  # type: ignore[arg-type]


def test_manual_colour_limits_need_low_below_high() -> None:
    with pytest.raises(ValidationError):
        ColorLimits(mode="manual", low=5, high=1)


def test_history_length_is_bounded() -> None:
    with pytest.raises(ValidationError):
        PlotterParams(history_length=0)


def test_lookup_of_layers_and_grids_by_id() -> None:
    wanted = layer()
    built = grid(cell(0, 0, wanted))
    gridset = GridSet(grids=(built,))
    assert gridset.layer(wanted.layer_id) is wanted
    assert gridset.grid(built.grid_id) is built
    with pytest.raises(KeyError):
        gridset.layer(uuid.uuid4())
