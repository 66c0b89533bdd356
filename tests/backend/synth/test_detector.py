import numpy as np
import pytest

from livedash.backend.rois import RoiState
from livedash.backend.synth.base import Window
from livedash.backend.synth.detector import DetectorSynthesizer
from livedash.protocol.roi import PolygonROI, RectangleROI

SECOND = 1_000_000_000


@pytest.fixture
def params(dummy):
    return dummy.workflow("dummy/panel_0_xy/1").params.default_payload()


def make(params, **kwargs):
    return DetectorSynthesizer(params=params, rng=np.random.default_rng(7), **kwargs)


def test_xy_images_are_128_by_128_float64_counts_with_detector_numbers(params):
    out = make(params).step(Window(0, SECOND))
    for name in ("cumulative", "current"):
        image = out[name]
        assert image.dims == ("y", "x")
        assert image.shape == (128, 128)
        assert image.dtype == "float64"
        assert image.unit == "counts"
        number = image.coords["detector_number"]
        assert number.dtype == "int64"
        assert number.unit is None
        assert number.values[0, 0] == 1
        assert number.values[-1, -1] == 16384


def test_layers_images_split_y_into_four_layers(params):
    out = make(params, layout="layers").step(Window(0, SECOND))
    assert out["cumulative"].dims == ("layer", "y", "x")
    assert out["cumulative"].shape == (4, 32, 128)
    assert out["current"].coords["detector_number"].shape == (4, 32, 128)


def test_layers_have_no_roi_outputs(params):
    out = make(params, layout="layers").step(Window(0, SECOND))
    assert not any(name.startswith("roi") for name in out)


def test_cumulative_accumulates_every_current(params):
    synth = make(params)
    first = synth.step(Window(0, SECOND))
    second = synth.step(Window(SECOND, 2 * SECOND))
    total = first["current"].values + second["current"].values
    assert np.array_equal(second["cumulative"].values, total)
    assert second["counts_total_cumulative"].value == pytest.approx(total.sum())


def test_totals_are_0d_float64_counts_matching_the_image(params):
    out = make(params).step(Window(0, SECOND))
    assert out["counts_total"].dims == ()
    assert out["counts_total"].dtype == "float64"
    assert out["counts_total"].value == out["current"].values.sum()
    assert out["counts_total"].variances is None


def test_disabled_toa_range_counts_everything(params):
    out = make(params).step(Window(0, SECOND))
    assert out["counts_in_toa_range"].value == out["counts_total"].value


def test_enabled_toa_range_counts_a_share(params):
    params["toa_range"] = {"start": 20.0, "stop": 40.0, "enabled": True, "unit": "ms"}
    out = make(params).step(Window(0, 10 * SECOND))
    share = out["counts_in_toa_range"].value / out["counts_total"].value
    assert share == pytest.approx(0.68, abs=0.02)


def test_counts_scale_with_window_length(params):
    out = make(params, rate_hz=10_000.0).step(Window(0, 2 * SECOND))
    assert out["counts_total"].value == pytest.approx(20_000, rel=0.05)


def test_peak_moves_between_updates(params):
    synth = make(params, rate_hz=1e6)
    first = synth.step(Window(0, SECOND))["current"].values
    later = synth.step(Window(15 * SECOND, 16 * SECOND))["current"].values
    assert np.argmax(first) != np.argmax(later)


def test_reset_clears_accumulation(params):
    synth = make(params)
    synth.step(Window(0, SECOND))
    synth.reset()
    out = synth.step(Window(SECOND, 2 * SECOND))
    assert np.array_equal(out["cumulative"].values, out["current"].values)


def test_without_rois_spectra_are_empty_and_readbacks_empty(params):
    out = make(params, rois=RoiState()).step(Window(0, SECOND))
    spectra = out["roi_spectra_current"]
    assert spectra.dims == ("roi", "time_of_arrival")
    assert spectra.shape == (0, 100)
    assert out["roi_rectangle"].shape == (0,)
    assert out["roi_polygon"].dims == ("vertex",)


def test_roi_spectra_have_one_row_per_roi_with_toa_and_eto_edges(params):
    rois = RoiState()
    rois.update("roi_rectangle", {0: RectangleROI(x_min=10, x_max=50, y_min=40, y_max=90)})
    rois.update("roi_polygon", {4: PolygonROI(x=[20, 80, 60, 25], y=[50, 55, 110, 100])})
    out = make(params, rois=rois).step(Window(0, SECOND))
    spectra = out["roi_spectra_cumulative"]
    assert spectra.shape == (2, 100)
    assert spectra.coords["roi"].values.tolist() == [0, 4]
    assert spectra.coords["roi"].dtype == "int32"
    assert spectra.coords["time_of_arrival"].shape == (101,)
    assert spectra.coords["time_of_arrival"].unit == "ms"
    assert spectra.coords["event_time_offset"].unit == "ns"
    assert spectra.coords["event_time_offset"].values[-1] == pytest.approx(71.43e6)


def test_roi_spectra_count_only_events_inside_the_roi(params):
    rois = RoiState()
    rois.update("roi_rectangle", {0: RectangleROI(x_min=0, x_max=127, y_min=0, y_max=127)})
    out = make(params, rois=rois).step(Window(0, SECOND))
    in_roi = out["roi_spectra_current"].values.sum()
    assert 0.95 * out["counts_total"].value <= in_roi <= out["counts_total"].value


def test_changing_an_roi_restarts_its_cumulative_spectrum(params):
    rois = RoiState()
    rois.update("roi_rectangle", {0: RectangleROI(x_min=0, x_max=60, y_min=0, y_max=60)})
    synth = make(params, rois=rois)
    synth.step(Window(0, SECOND))
    rois.update("roi_rectangle", {0: RectangleROI(x_min=0, x_max=20, y_min=0, y_max=20)})
    out = synth.step(Window(SECOND, 2 * SECOND))
    assert np.array_equal(out["roi_spectra_cumulative"].values, out["roi_spectra_current"].values)


def test_spectra_follow_nondefault_toa_edges(params):
    params["toa_edges"] = {"start": 5.0, "stop": 65.0, "num_bins": 60, "scale": "linear"}
    params["toa_edges"]["unit"] = "ms"
    out = make(params, rois=RoiState()).step(Window(0, SECOND))
    assert out["roi_spectra_current"].shape == (0, 60)
    assert out["roi_spectra_current"].coords["time_of_arrival"].values[0] == 5.0


def test_wavelength_mode_histograms_over_wavelength(params):
    params["coordinate_mode"] = {"mode": "wavelength"}
    out = make(params, rois=RoiState()).step(Window(0, SECOND))
    spectra = out["roi_spectra_current"]
    assert spectra.dims == ("roi", "wavelength")
    assert spectra.coords["wavelength"].unit == "angstrom"


def test_unknown_layout_is_rejected(params):
    with pytest.raises(ValueError, match="layout"):
        make(params, layout="cube")
