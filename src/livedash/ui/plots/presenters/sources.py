"""Sending new values into an existing ColumnDataSource without creating Bokeh models.

Replacing ``source.data`` is one property change: the browser redraws the glyphs that
read the source, nothing else. For histories (time series, scalar trends,
correlations) :func:`stream_or_replace` sends only the points that are new since the
last update, using Bokeh's ``stream`` with a rollover, when the new history is the
drawn one with points appended (and old ones dropped at the front); otherwise it
replaces the data.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from bokeh.models import ColumnDataSource

Columns = Mapping[str, np.ndarray]


def replace(source: ColumnDataSource, columns: Columns) -> None:
    """Replace all data of ``source`` (one property change, no new model)."""
    source.data = dict(columns)


def appended_points(drawn: Columns, new: Columns, *, key: str) -> int | None:
    """How many points ``new`` appends to ``drawn``, or None if it is not an append.

    ``new`` is an append when its first points are the last points of ``drawn`` (equal
    in every column, NaN equal to NaN) and ``key`` increases; the points of ``drawn``
    before them are the ones the history dropped.
    """
    old_key, new_key = drawn.get(key), new[key]
    if old_key is None or len(old_key) == 0 or len(new_key) == 0:
        return None
    overlap = int(np.searchsorted(new_key, old_key[-1], side="right"))
    if overlap == 0 or overlap > len(old_key):
        return None
    for name, values in new.items():
        old = drawn.get(name)
        if old is None or not np.array_equal(values[:overlap], old[-overlap:], equal_nan=True):
            return None
    return len(new_key) - overlap


def stream_or_replace(source: ColumnDataSource, drawn: Columns, new: Columns, *, key: str) -> str:
    """Bring ``source`` (showing ``drawn``) to ``new``; what it did: ``"none"``,
    ``"stream"`` or ``"replace"``."""
    appended = appended_points(drawn, new, key=key)
    if appended is None:
        replace(source, new)
        return "replace"
    if appended == 0:
        if len(new[key]) == len(drawn[key]):
            return "none"
        replace(source, new)
        return "replace"
    source.stream(
        {name: values[len(values) - appended :] for name, values in new.items()},
        rollover=len(new[key]),
    )
    return "stream"
