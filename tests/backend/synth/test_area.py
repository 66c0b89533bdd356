import numpy as np

from livedash.backend.synth.area import AreaDetectorSynthesizer
from livedash.backend.synth.base import Window

SECOND = 1_000_000_000


def test_only_cumulative_and_current_are_produced():
    out = AreaDetectorSynthesizer(rng=np.random.default_rng(1)).step(Window(0, SECOND))
    assert set(out) == {"cumulative", "current"}


def test_images_are_256_by_256_int32_dimensionless_without_coords():
    out = AreaDetectorSynthesizer(rng=np.random.default_rng(1)).step(Window(0, SECOND))
    image = out["current"]
    assert image.dims == ("dim_0", "dim_1")
    assert image.shape == (256, 256)
    assert image.dtype == "int32"
    assert image.unit == "dimensionless"
    assert not image.coords


def test_cumulative_sums_frames_since_start():
    synth = AreaDetectorSynthesizer(rng=np.random.default_rng(1))
    first = synth.step(Window(0, SECOND))["current"].values
    out = synth.step(Window(SECOND, 2 * SECOND))
    assert np.array_equal(out["cumulative"].values, first + out["current"].values)


def test_cumulative_saturates_instead_of_wrapping():
    synth = AreaDetectorSynthesizer(rng=np.random.default_rng(1), counts_per_frame=1e12)
    synth.step(Window(0, 1000 * SECOND))
    out = synth.step(Window(1000 * SECOND, 2000 * SECOND))
    assert out["cumulative"].values.min() >= 0
    assert out["cumulative"].values.max() == np.iinfo(np.int32).max
