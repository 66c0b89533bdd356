"""Accumulating ``series`` outputs: each message carries only the new samples.

A timeseries result is 1-D along ``time`` with a datetime64 ``time`` coordinate holding
only the samples since the previous message (PROTOCOL.md 12.1); the dashboard appends
them to a bounded history. Pure functions, no state.
"""

from __future__ import annotations

import scipp as sc

SERIES_DIM = "time"
MAX_SERIES_POINTS = 10_000

# What scipp raises when two arrays cannot be concatenated (other dims, units, coords).
_INCOMPATIBLE = (
    sc.DimensionError,
    sc.UnitError,
    sc.DTypeError,
    sc.VariancesError,
    sc.CoordError,
    sc.DataArrayError,
)


def is_series(data: sc.DataArray) -> bool:
    """Whether ``data`` is 1-D along ``time`` with a datetime64 ``time`` coordinate."""
    coord = data.coords.get(SERIES_DIM)
    return (
        data.dims == (SERIES_DIM,)
        and coord is not None
        and coord.dims == (SERIES_DIM,)
        and coord.dtype == sc.DType.datetime64
    )


def append_series(
    history: sc.DataArray | None, new: sc.DataArray, *, max_points: int = MAX_SERIES_POINTS
) -> tuple[sc.DataArray, bool]:
    """``new`` appended to ``history``, keeping the last ``max_points`` samples.

    Returns the result and whether the history had to be restarted because ``new``
    cannot be appended to it (different unit, dtype, coordinates ...).
    """
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, got {max_points!r}")
    restarted = False
    if history is None or not is_series(history):
        combined = new
    else:
        try:
            combined = sc.concat([history, new], SERIES_DIM)
            # concat drops the name; the newest message's name (the output's title) is
            # what the plot labels the series with.
            combined.name = new.name
        except _INCOMPATIBLE:
            combined, restarted = new, True
    if combined.sizes[SERIES_DIM] > max_points:
        combined = combined[SERIES_DIM, -max_points:]
    # A copy, so that the cached history never shares a buffer with a decoded message
    # or with a slice of the previous history.
    return combined.copy(), restarted
