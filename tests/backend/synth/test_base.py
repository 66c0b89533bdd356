import numpy as np
import pytest

from livedash.backend.synth.base import (
    TimeEdges,
    Window,
    bin_probabilities,
    drifting_blob,
    fraction_in_range,
    to_ms,
)


def test_window_rejects_end_before_start():
    with pytest.raises(ValueError, match="before it starts"):
        Window(10, 5)


def test_window_duration_is_in_seconds():
    assert Window(0, 1_500_000_000).duration_s == 1.5


@pytest.mark.parametrize(
    ("value", "unit", "ms"), [(1.0, "s", 1000.0), (500.0, "μs", 0.5), (500.0, "us", 0.5)]
)
def test_to_ms_converts_every_params_time_unit(value, unit, ms):
    assert to_ms(value, unit) == pytest.approx(ms)


def test_to_ms_rejects_unknown_unit():
    with pytest.raises(ValueError, match="unknown time unit"):
        to_ms(1.0, "fortnight")


def test_time_edges_follow_the_params_block():
    edges = TimeEdges.from_params(
        {"start": 5.0, "stop": 65.0, "num_bins": 60, "scale": "linear", "unit": "ms"}
    )
    assert edges.num_bins == 60
    assert edges.values[0] == 5.0
    assert edges.values[-1] == 65.0
    assert edges.coord("t").unit == "ms"
    assert edges.coord_ns("t").values[-1] == pytest.approx(65e6)


def test_log_scale_edges_are_geometric():
    edges = TimeEdges.from_params({"start": 1.0, "stop": 100.0, "num_bins": 2, "scale": "log"})
    assert edges.values == pytest.approx([1.0, 10.0, 100.0])


def test_bin_probabilities_peak_at_the_mean():
    edges = np.linspace(0.0, 71.43, 101)
    p = bin_probabilities(edges, 20.0, 4.0)
    assert edges[np.argmax(p)] == pytest.approx(20.0, abs=1.0)
    assert p.sum() == pytest.approx(1.0, abs=1e-6)


def test_disabled_range_keeps_every_event():
    assert fraction_in_range({"enabled": False, "start": 0, "stop": 1, "unit": "ms"}, 30, 10) == 1


def test_enabled_range_keeps_one_sigma_share():
    block = {"enabled": True, "start": 20.0, "stop": 40.0, "unit": "ms"}
    assert fraction_in_range(block, 30.0, 10.0) == pytest.approx(0.6827, abs=1e-3)


def test_drifting_blob_is_normalised_and_moves():
    first = drifting_blob((64, 64), 0.0)
    later = drifting_blob((64, 64), 15.0)
    assert first.sum() == pytest.approx(1.0)
    assert np.argmax(first) != np.argmax(later)
