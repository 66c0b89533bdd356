"""Data-reduction totals (``total_counts``): one 0-D int64 ``counts`` value since start."""

from __future__ import annotations

import numpy as np
import scipp as sc

from .base import Window


class TotalCountsSynthesizer:
    """Counts the simulated detector events since the job started (or was reset)."""

    def __init__(self, *, rng: np.random.Generator, rate_hz: float = 20_000.0) -> None:
        self._rng = rng
        self._rate_hz = rate_hz
        self.reset()

    def reset(self) -> None:
        self._total = 0

    def step(self, window: Window) -> dict[str, sc.DataArray]:
        self._total += int(self._rng.poisson(self._rate_hz * window.duration_s))
        return {"total_counts": sc.DataArray(sc.scalar(self._total, unit="counts", dtype="int64"))}
