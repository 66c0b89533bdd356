"""Log timeseries (``timeseries_data``): only the samples new since the last update.

The real timeseries service emits ``delta`` as a *series* output: dim ``time`` with a
``datetime64[ns]`` coord holding only the new samples, in the log's own unit, and no
``start_time``/``time`` scalars (PROTOCOL.md 2.4/2.5). Sources: ``motion1`` swings
sinusoidally in mm, ``motion2`` ramps 0-90 deg and wraps; unknown sources get a
dimensionless random walk.
"""

from __future__ import annotations

import math

import numpy as np
import scipp as sc

from .base import Window

_UNITS = {"motion1": "mm", "motion2": "deg"}


class TimeseriesSynthesizer:
    """Samples a motor position at ``sample_rate_hz`` on a fixed grid of sample times.

    A window without a sample yields no outputs (the real service only publishes when
    new data arrived).
    """

    def __init__(
        self, *, source_name: str, rng: np.random.Generator, sample_rate_hz: float = 5.0
    ) -> None:
        self._source_name = source_name
        self._unit = _UNITS.get(source_name, "dimensionless")
        self._rng = rng
        self._period_ns = int(1e9 / sample_rate_hz)
        self._walk = 0.0

    def reset(self) -> None:
        # Nothing accumulates: every update carries only its own samples.
        return

    def step(self, window: Window) -> dict[str, sc.DataArray]:
        first = -(-window.start_ns // self._period_ns) * self._period_ns
        # Half-open [start, end): consecutive windows share no sample.
        times = np.arange(first, window.end_ns, self._period_ns, dtype=np.int64)
        if times.size == 0:
            return {}
        values = np.array([self._value(int(t)) for t in times], dtype=np.float64)
        return {
            "delta": sc.DataArray(
                sc.array(dims=["time"], values=values, unit=self._unit),
                coords={"time": sc.datetimes(dims=["time"], values=times, unit="ns")},
            )
        }

    def _value(self, t_ns: int) -> float:
        t_s = t_ns / 1e9
        noise = float(self._rng.normal(0.0, 0.01))
        if self._source_name == "motion1":
            return 10.0 * math.sin(2 * math.pi * t_s / 40.0) + noise
        if self._source_name == "motion2":
            return (t_s * 1.5) % 90.0
        self._walk += noise * 10
        return self._walk
