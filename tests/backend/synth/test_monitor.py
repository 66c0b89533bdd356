import numpy as np
import pytest

from livedash.backend.synth.base import Window
from livedash.backend.synth.monitor import MonitorSynthesizer, monitor_profile

SECOND = 1_000_000_000


@pytest.fixture
def params(dummy):
    return dummy.workflow("dummy/monitor_histogram/1").params.default_payload()


def make(params, source="monitor1"):
    return MonitorSynthesizer(source_name=source, params=params, rng=np.random.default_rng(3))


def test_histograms_have_100_bins_with_variances_and_101_ms_edges(params):
    out = make(params).step(Window(0, SECOND))
    for name in ("cumulative", "current"):
        histogram = out[name]
        assert histogram.dims == ("time_of_arrival",)
        assert histogram.shape == (100,)
        assert histogram.dtype == "float64"
        assert histogram.unit == "counts"
        assert histogram.variances is not None
        edges = histogram.coords["time_of_arrival"]
        assert edges.shape == (101,)
        assert edges.dtype == "float64"
        assert edges.unit == "ms"


@pytest.mark.parametrize(("source", "peak_ms"), [("monitor1", 20.0), ("monitor2", 50.0)])
def test_histogram_peaks_where_the_monitor_profile_says(params, source, peak_ms):
    out = make(params, source).step(Window(0, SECOND))["current"]
    centres = out.coords["time_of_arrival"].values[:-1] + 0.357
    assert centres[np.argmax(out.values)] == pytest.approx(peak_ms, abs=2.0)


def test_totals_are_0d_float64_with_variances(params):
    out = make(params).step(Window(0, SECOND))
    for name in ("counts_total", "counts_in_toa_range", "counts_total_cumulative"):
        assert out[name].dims == ()
        assert out[name].dtype == "float64"
        assert out[name].variance == out[name].value


def test_cumulative_grows_by_each_current(params):
    synth = make(params)
    first = synth.step(Window(0, SECOND))
    second = synth.step(Window(SECOND, 2 * SECOND))
    expected = first["current"].values + second["current"].values
    assert np.array_equal(second["cumulative"].values, expected)


def test_reset_restarts_the_cumulative_histogram(params):
    synth = make(params)
    synth.step(Window(0, SECOND))
    synth.reset()
    out = synth.step(Window(SECOND, 2 * SECOND))
    assert out["counts_total_cumulative"].value == out["counts_total"].value


def test_unknown_monitor_gets_its_own_profile():
    rate, mean, _ = monitor_profile("monitor7")
    assert rate > 0
    assert mean != monitor_profile("monitor1")[1]
