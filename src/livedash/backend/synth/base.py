"""Shared pieces of the synthesizers: the update window, the protocol, TOA helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import scipp as sc

# Factors from each TimeUnit of the params models (PROTOCOL.md 3.1) to milliseconds.
_TO_MS = {"ns": 1e-6, "us": 1e-3, "μs": 1e-3, "ms": 1.0, "s": 1e3}
# scipp spelling of the same units.
_SCIPP_UNIT = {"ns": "ns", "us": "us", "μs": "us", "ms": "ms", "s": "s"}


@dataclass(frozen=True)
class Window:
    """One update interval ``[start_ns, end_ns]`` in ns since the Unix epoch."""

    start_ns: int
    end_ns: int

    def __post_init__(self) -> None:
        if self.end_ns < self.start_ns:
            raise ValueError(f"window ends ({self.end_ns}) before it starts ({self.start_ns})")

    @property
    def duration_s(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9

    @property
    def midpoint_s(self) -> float:
        """Middle of the window in seconds since the epoch (drives drifting features)."""
        return (self.start_ns + self.end_ns) / 2e9


class Synthesizer(Protocol):
    """Makes one job's outputs, one update window at a time."""

    def step(self, window: Window) -> dict[str, sc.DataArray]:
        """Simulate the data of ``window``, accumulate it, return every output."""
        ...

    def reset(self) -> None:
        """Forget everything accumulated so far."""
        ...


def to_ms(value: float, unit: str) -> float:
    """Convert a time ``value`` in one of the params models' units to milliseconds."""
    try:
        return value * _TO_MS[unit]
    except KeyError:
        raise ValueError(f"unknown time unit {unit!r}") from None


@dataclass(frozen=True)
class TimeEdges:
    """Histogram edges from a ``toa_edges`` params block (start, stop, num_bins, scale, unit)."""

    values: np.ndarray
    unit: str

    @classmethod
    def from_params(cls, block: dict[str, Any]) -> TimeEdges:
        start, stop = float(block["start"]), float(block["stop"])
        num_bins = int(block["num_bins"])
        unit = str(block.get("unit", "ms"))
        if num_bins < 1:
            raise ValueError(f"num_bins must be at least 1, got {num_bins}")
        if block.get("scale") == "log" and start > 0 and stop > 0:
            values = np.geomspace(start, stop, num_bins + 1)
        else:
            values = np.linspace(start, stop, num_bins + 1)
        return cls(values=values, unit=unit)

    @property
    def num_bins(self) -> int:
        return len(self.values) - 1

    @property
    def ms(self) -> np.ndarray:
        return self.values * _TO_MS[self.unit]

    def coord(self, dim: str) -> sc.Variable:
        """The edges as a float64 coord in their own unit."""
        return sc.array(dims=[dim], values=self.values, unit=_SCIPP_UNIT[self.unit])

    def coord_ns(self, dim: str) -> sc.Variable:
        """The edges in float64 nanoseconds (the ``event_time_offset`` coord)."""
        return sc.array(dims=[dim], values=self.ms * 1e6, unit="ns")


def normal_cdf(x: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return 0.5 * (1.0 + erf((np.asarray(x, dtype=np.float64) - mean) / (sigma * math.sqrt(2))))


def bin_probabilities(edges_ms: np.ndarray, mean_ms: float, sigma_ms: float) -> np.ndarray:
    """Probability that a normally distributed time of arrival falls into each bin."""
    return np.clip(np.diff(normal_cdf(edges_ms, mean_ms, sigma_ms)), 0.0, 1.0)


def fraction_in_range(range_block: dict[str, Any], mean_ms: float, sigma_ms: float) -> float:
    """Share of events inside a ``toa_range`` block; 1.0 when the filter is disabled."""
    if not range_block.get("enabled", False):
        return 1.0
    unit = str(range_block.get("unit", "ms"))
    low, high = sorted((to_ms(range_block["start"], unit), to_ms(range_block["stop"], unit)))
    cdf = normal_cdf(np.array([low, high]), mean_ms, sigma_ms)
    return float(cdf[1] - cdf[0])


def drifting_blob(
    shape: tuple[int, int], t_s: float, *, period_s: float = 60.0, sigma_px: float = 0.0
) -> np.ndarray:
    """A normalised image (sums to 1): a Gaussian blob circling the centre plus background.

    The blob circles once per ``period_s`` so successive updates visibly move; 80 % of the
    intensity is in the blob, 20 % is flat background.
    """
    ny, nx = shape
    phase = 2 * math.pi * (t_s % period_s) / period_s
    cy = ny / 2 + 0.25 * ny * math.sin(phase)
    cx = nx / 2 + 0.25 * nx * math.cos(phase)
    sigma = sigma_px or max(nx, ny) / 12
    y, x = np.mgrid[0:ny, 0:nx]
    blob = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma**2))
    image = 0.8 * blob / blob.sum() + 0.2 / (nx * ny)
    return image / image.sum()
