"""Beam-monitor histograms (``monitor_histogram``): TOA spectra with Poisson errors.

Wire shapes follow the real monitor_data service (PROTOCOL.md 2.5): ``cumulative`` and
``current`` of dim ``time_of_arrival`` (``num_bins`` bins, 100 by default), float64
counts **with variances** (sent as ``errors``), and a float64 bin-edge coord in the
params' unit (ms by default); the four 0-D totals are float64 counts with variances.

Like the upstream fake producer, ``monitor1`` sees ~140 k events/s around 20 ms and
``monitor2`` ~98 k events/s around 50 ms; other sources get a profile derived from
their name so that they still differ.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import scipp as sc

from .base import TimeEdges, Window, bin_probabilities, fraction_in_range

# (events per second, TOA mean in ms, TOA sigma in ms) per monitor source.
_PROFILES = {
    "monitor1": (140_000.0, 20.0, 4.0),
    "monitor2": (98_000.0, 50.0, 6.0),
}


def monitor_profile(source_name: str) -> tuple[float, float, float]:
    """Rate (events/s), TOA mean (ms) and TOA sigma (ms) of a monitor source."""
    if source_name in _PROFILES:
        return _PROFILES[source_name]
    offset = zlib.crc32(source_name.encode()) % 40
    return 50_000.0, 15.0 + offset, 5.0


class MonitorSynthesizer:
    """One monitor job: histogram and totals of each window and since start."""

    def __init__(self, *, source_name: str, params: dict[str, Any], rng: np.random.Generator):
        self._rng = rng
        self._rate_hz, mean_ms, sigma_ms = monitor_profile(source_name)
        self._edges = TimeEdges.from_params(params["toa_edges"])
        p = bin_probabilities(self._edges.ms, mean_ms, sigma_ms)
        self._probabilities = np.append(p, max(0.0, 1.0 - p.sum()))
        self._in_range_fraction = fraction_in_range(params.get("toa_range", {}), mean_ms, sigma_ms)
        self.reset()

    def reset(self) -> None:
        self._histogram = np.zeros(self._edges.num_bins, dtype=np.float64)
        self._total = 0.0
        self._in_range = 0.0

    def step(self, window: Window) -> dict[str, sc.DataArray]:
        events = int(self._rng.poisson(self._rate_hz * window.duration_s))
        current = self._rng.multinomial(events, self._probabilities)[:-1].astype(np.float64)
        total = float(current.sum())
        in_range = float(self._rng.binomial(int(total), self._in_range_fraction))
        self._histogram += current
        self._total += total
        self._in_range += in_range
        return {
            "cumulative": self._histogram_array(self._histogram.copy()),
            "current": self._histogram_array(current),
            "counts_total": _counts(total),
            "counts_in_toa_range": _counts(in_range),
            "counts_total_cumulative": _counts(self._total),
            "counts_in_toa_range_cumulative": _counts(self._in_range),
        }

    def _histogram_array(self, values: np.ndarray) -> sc.DataArray:
        dim = "time_of_arrival"
        return sc.DataArray(
            sc.array(dims=[dim], values=values, variances=values.copy(), unit="counts"),
            coords={dim: self._edges.coord(dim)},
        )


def _counts(value: float) -> sc.DataArray:
    return sc.DataArray(sc.scalar(value, variance=value, unit="counts", dtype="float64"))
