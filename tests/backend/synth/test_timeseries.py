import numpy as np
import pytest

from livedash.backend.synth.base import Window
from livedash.backend.synth.timeseries import TimeseriesSynthesizer

SECOND = 1_000_000_000
T0 = 1_763_712_000 * SECOND


def make(source="motion1"):
    return TimeseriesSynthesizer(source_name=source, rng=np.random.default_rng(4))


@pytest.mark.parametrize(("source", "unit"), [("motion1", "mm"), ("motion2", "deg")])
def test_delta_is_1d_in_the_log_unit_with_a_datetime_time_axis(source, unit):
    delta = make(source).step(Window(T0, T0 + SECOND))["delta"]
    assert delta.dims == ("time",)
    assert delta.unit == unit
    assert delta.dtype == "float64"
    assert delta.coords["time"].dtype == "datetime64"
    assert delta.coords["time"].unit == "ns"
    assert "start_time" not in delta.coords


def test_consecutive_windows_hold_only_new_samples():
    synth = make()
    first = synth.step(Window(T0, T0 + SECOND))["delta"].coords["time"].values
    second = synth.step(Window(T0 + SECOND, T0 + 2 * SECOND))["delta"].coords["time"].values
    assert len(first) == 5
    assert len(second) == 5
    assert first.max() < second.min()


def test_window_without_a_sample_yields_nothing():
    assert make().step(Window(T0 + 1, T0 + 2)) == {}


def test_motion2_ramps_within_0_to_90_degrees():
    values = make("motion2").step(Window(T0, T0 + 100 * SECOND))["delta"].values
    assert values.min() >= 0.0
    assert values.max() < 90.0
