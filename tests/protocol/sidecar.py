"""Comparing decoded scipp data with the value summaries in sample sidecars.

A summary gives dims, shape, unit, dtype, size, first/last/sum/min/max, ``nan_count``,
full ``values`` (flattened, row-major) when small, and ISO forms of time instants.
Integer sums are exact in the sidecars, so they are compared as Python ints; float
statistics are compared to within rounding of the summation order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import scipp as sc


def iso(ns: int) -> str:
    """The sidecars' ISO form of an instant in ns since the epoch."""
    return f"{np.datetime64(int(ns), 'ns')}Z"


def unit_string(var: sc.Variable) -> str | None:
    return None if var.unit is None else str(var.unit)


def flat_values(var: sc.Variable) -> np.ndarray:
    values = np.asarray(var.values).reshape(-1)
    if var.dtype == sc.DType.datetime64:
        return values.astype(np.int64)  # offsets from the epoch in the variable's unit
    return values


def assert_summary(var: sc.Variable, summary: dict[str, Any], *, what: str) -> None:
    assert list(var.dims) == summary["dims"], what
    assert list(var.shape) == summary["shape"], what
    assert unit_string(var) == summary["unit"], what
    assert str(var.dtype) == summary["dtype"], what
    values = flat_values(var)
    if "size" in summary:
        assert values.size == summary["size"], what
    if "values" in summary:
        _assert_values(values, summary["values"], what=f"{what}.values")
    if "nan_count" in summary:
        assert int(np.isnan(values).sum()) == summary["nan_count"], what
    if values.size == 0:
        return
    for key, picked in (("first", values[0]), ("last", values[-1])):
        if key in summary:
            _assert_number(picked, summary[key], what=f"{what}.{key}")
    for key, plain, nan_aware in (("min", np.min, np.nanmin), ("max", np.max, np.nanmax)):
        if key in summary:
            _assert_stat(values, summary[key], plain, nan_aware, what=f"{what}.{key}")
    if "sum" in summary:
        if values.dtype.kind in "iu":
            assert sum(int(v) for v in values) == summary["sum"], f"{what}.sum"
        else:
            _assert_stat(values, summary["sum"], np.sum, np.nansum, what=f"{what}.sum")
    _assert_iso(values, summary, what=what)


def _assert_values(actual: np.ndarray, expected: list[Any], *, what: str) -> None:
    assert len(expected) == actual.size, what
    if actual.dtype.kind in "iu":
        assert [int(v) for v in actual] == expected, what
    else:
        np.testing.assert_array_equal(actual, np.array(expected, dtype=np.float64), err_msg=what)


def _assert_number(actual: Any, expected: Any, *, what: str) -> None:
    if isinstance(expected, int) and not isinstance(expected, bool):
        assert int(actual) == expected, what
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(float(actual)), what
    else:
        assert float(actual) == pytest.approx(expected, rel=1e-12, abs=1e-300), what


def _assert_stat(values: np.ndarray, expected: Any, plain: Any, nan_aware: Any, *, what: str):
    if values.dtype.kind in "iu":
        assert int(plain(values)) == expected, what
        return
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(float(plain(values))), what
        return
    # Sidecars of data holding NaN may summarise with or without the NaNs.
    candidates = [float(plain(values))]
    if np.isnan(values).any() and not np.isnan(values).all():
        candidates.append(float(nan_aware(values)))
    assert any(c == pytest.approx(expected, rel=1e-9) for c in candidates), (what, candidates)


def _assert_iso(values: np.ndarray, summary: dict[str, Any], *, what: str) -> None:
    if values.dtype.kind not in "iu":
        return
    expected = summary.get("iso")
    if isinstance(expected, str):
        assert iso(values[0]) == expected, f"{what}.iso"
    elif isinstance(expected, list):
        assert [iso(v) for v in values] == expected, f"{what}.iso"
    for key, value in (("first_iso", values[0]), ("last_iso", values[-1])):
        if key in summary:
            assert iso(value) == summary[key], f"{what}.{key}"
    if "values_iso" in summary:
        assert [iso(v) for v in values] == summary["values_iso"], f"{what}.values_iso"


def assert_decoded(data: sc.DataArray, decoded: dict[str, Any]) -> None:
    """Check a decoded DataArray against a sidecar's ``decoded`` section."""
    assert data.name == decoded["name"]
    assert_summary(data.data, decoded, what="data")
    assert (data.variances is not None) == decoded["has_variances"]
    if decoded.get("variances_sum") is not None:
        assert float(np.sum(data.variances)) == pytest.approx(decoded["variances_sum"], rel=1e-9)
    assert sorted(data.coords.keys()) == sorted(decoded["coords"].keys())
    for name, summary in decoded["coords"].items():
        assert_summary(data.coords[name], summary, what=f"coords[{name}]")
