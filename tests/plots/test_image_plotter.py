from __future__ import annotations

import numpy as np
import scipp as sc

from livedash.plots.model import ColorLimits, PlotterKind, PlotterParams
from livedash.plots.plotters import ImagePlotter, SlicerPlotter
from livedash.plots.state import ImageState

from .wire import wire_output

PLOTTER = ImagePlotter(dim_titles={"time_of_arrival": "Time of arrival"})
SLICER = SlicerPlotter()
PARAMS = PlotterParams()


def image(
    values: np.ndarray, dims: tuple[str, str] = ("y", "x"), **coords: sc.Variable
) -> sc.DataArray:
    return sc.DataArray(
        sc.array(dims=list(dims), values=values, unit="counts"), coords=coords, name="Image"
    )


def compute(data: sc.DataArray, params: PlotterParams = PARAMS) -> ImageState:
    state = PLOTTER.compute({"primary": data}, params, None)
    assert isinstance(state, ImageState)
    return state


def test_detector_image_from_the_wire_has_pixel_axes() -> None:
    data = wire_output("panel_0_xy", "panel_0", "cumulative")
    state = compute(data)
    assert state.values.shape == (128, 128)
    assert (state.y.dim, state.x.dim) == ("y", "x")
    assert not state.x.from_coord
    assert state.x.edges[0] == -0.5
    assert state.x.edges[-1] == 127.5
    assert state.value_label == "Image [counts]"


def test_area_detector_int32_image_with_placeholder_dims_becomes_float() -> None:
    data = wire_output("area_panel_xy", "area_panel", "current")
    assert data.dims == ("dim_0", "dim_1")
    state = compute(data)
    assert state.values.dtype == np.float64
    assert state.values.shape == (256, 256)
    assert (state.y.dim, state.x.dim) == ("dim_0", "dim_1")
    assert state.unit == "dimensionless"
    assert state.value_label == "Image update"


def test_auto_colour_limits_are_min_and_max_of_finite_values() -> None:
    state = compute(image(np.array([[1.0, np.nan], [np.inf, 5.0]])))
    assert state.color_limits == (1.0, 5.0)


def test_log_scale_limits_use_positive_values_and_mask_the_rest() -> None:
    state = compute(image(np.array([[0.0, 2.0], [-3.0, 8.0]])), PlotterParams(scale="log"))
    assert state.color_limits == (2.0, 8.0)
    assert np.isnan(state.values[0, 0])
    assert np.isnan(state.values[1, 0])
    assert state.log


def test_nan_pixels_stay_missing() -> None:
    state = compute(image(np.array([[np.nan, 1.0], [2.0, 3.0]])))
    assert np.isnan(state.values[0, 0])


def test_all_missing_image_has_no_colour_limits() -> None:
    state = compute(image(np.full((2, 2), np.nan)))
    assert state.color_limits is None


def test_constant_image_still_has_a_colour_range() -> None:
    low, high = compute(image(np.full((2, 2), 3.0))).color_limits or (0, 0)
    assert low < 3.0 < high


def test_manual_colour_limits_win() -> None:
    params = PlotterParams(color_limits=ColorLimits(mode="manual", low=0.0, high=100.0))
    assert compute(image(np.ones((2, 2))), params).color_limits == (0.0, 100.0)


def test_roi_spectra_axes_come_from_bin_edge_and_point_coords() -> None:
    edges = sc.linspace("time_of_arrival", 0.0, 100.0, 5, unit="ms")
    rois = sc.array(dims=["roi"], values=np.array([0, 3], dtype=np.int32), unit=None)
    data = image(np.ones((2, 4)), ("roi", "time_of_arrival"), time_of_arrival=edges, roi=rois)
    state = compute(data)
    assert state.x.label == "Time of arrival [ms]"
    assert state.x.edges.tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert state.x.centers.tolist() == [12.5, 37.5, 62.5, 87.5]
    assert state.y.centers.tolist() == [0.0, 3.0]
    assert state.y.label == "roi"


def test_two_dimensional_coords_are_ignored() -> None:
    data = wire_output("panel_0_xy", "panel_0", "current")
    assert data.coords["detector_number"].dims == ("y", "x")
    assert not compute(data).y.from_coord


def test_shape_signature_is_stable_across_updates() -> None:
    first = compute(image(np.ones((2, 3))))
    assert compute(image(np.full((2, 3), 7.0))).shape_signature == first.shape_signature
    assert compute(image(np.ones((3, 3)))).shape_signature != first.shape_signature


def test_slicer_shows_the_chosen_layer_of_the_wire_stack() -> None:
    data = wire_output("panel_0_layers", "panel_0", "cumulative")
    assert data.dims == ("layer", "y", "x")
    state = SLICER.compute({"primary": data}, PlotterParams(slice_index=2), None)
    assert state.kind is PlotterKind.SLICER
    assert state.slice is not None
    assert (state.slice.dim, state.slice.index, state.slice.count) == ("layer", 2, 4)
    assert state.values.shape == (32, 128)
    assert np.array_equal(state.values, data["layer", 2].values)


def test_slice_index_is_clamped_to_the_data() -> None:
    data = wire_output("panel_0_layers", "panel_0", "current")
    state = SLICER.compute({"primary": data}, PlotterParams(slice_index=99), None)
    assert state.slice is not None
    assert state.slice.index == 3


def test_slicer_colour_limits_span_the_whole_volume() -> None:
    volume = np.zeros((2, 2, 2))
    volume[1] = 10.0
    data = sc.DataArray(sc.array(dims=["layer", "y", "x"], values=volume))
    state = SLICER.compute({"primary": data}, PARAMS, None)
    assert state.color_limits == (0.0, 10.0)


def test_slicer_can_slice_another_dim_and_labels_the_coordinate() -> None:
    data = sc.DataArray(
        sc.array(dims=["layer", "y", "x"], values=np.arange(24.0).reshape(2, 3, 4)),
        coords={"y": sc.array(dims=["y"], values=[1.0, 2.0, 3.0], unit="mm")},
    )
    state = SLICER.compute({"primary": data}, PlotterParams(slice_dim="y", slice_index=1), None)
    assert state.slice is not None
    assert state.slice.label == "y = 2.0 mm"
    assert (state.y.dim, state.x.dim) == ("layer", "x")


def test_accepts_by_number_of_dims() -> None:
    flat = {"primary": image(np.ones((2, 2)))}
    stack = {"primary": wire_output("panel_0_layers", "panel_0", "current")}
    assert PLOTTER.accepts(flat)
    assert not PLOTTER.accepts(stack)
    assert SLICER.accepts(stack)
    assert not SLICER.accepts(flat)
