import numpy as np
import pytest

from livedash.backend.synth.base import Window
from livedash.backend.synth.totals import TotalCountsSynthesizer

SECOND = 1_000_000_000


def test_total_counts_is_0d_int64_counts():
    out = TotalCountsSynthesizer(rng=np.random.default_rng(2)).step(Window(0, SECOND))
    total = out["total_counts"]
    assert total.dims == ()
    assert total.dtype == "int64"
    assert total.unit == "counts"


def test_total_counts_grows_and_resets():
    synth = TotalCountsSynthesizer(rng=np.random.default_rng(2), rate_hz=1000.0)
    first = synth.step(Window(0, SECOND))["total_counts"].value
    second = synth.step(Window(SECOND, 2 * SECOND))["total_counts"].value
    assert second > first > 0
    synth.reset()
    assert synth.step(Window(2 * SECOND, 3 * SECOND))["total_counts"].value == pytest.approx(
        1000, rel=0.2
    )
