"""Malformed da00 messages raise DecodeError before any array is built (PROTOCOL.md 12.4)."""

from __future__ import annotations

import numpy as np
import pytest

from livedash.protocol.da00 import decode_da00
from livedash.protocol.errors import DecodeError

from .da00_builder import RawVariable, build_da00, signal


def _rejects(variables: list[RawVariable], match: str) -> None:
    with pytest.raises(DecodeError, match=match) as info:
        decode_da00(build_da00(variables))
    assert info.value.kind == "da00"


def test_well_formed_builder_output_decodes():
    assert decode_da00(build_da00([signal([1.0, 2.0])])).data.shape == (2,)


def test_shape_product_not_matching_the_data_length_is_rejected():
    _rejects([signal(np.ones(4), axes=("y", "x"), shape=[3, 2])], "carries 4 elements")


def test_absurd_declared_size_is_rejected_before_allocating():
    _rejects([signal(np.ones(4), axes=("y", "x"), shape=[2**40, 2**40])], "limit")


def test_negative_dims_are_rejected_even_when_their_product_fits():
    _rejects([signal(np.ones(4), axes=("y", "x"), shape=[-2, -2])], "negative")


def test_shape_and_axes_of_different_length_are_rejected():
    _rejects([signal(np.ones(4), axes=("x",), shape=[2, 2])], "axes")


def test_too_many_dims_are_rejected():
    axes = tuple(f"d{i}" for i in range(40))
    _rejects([signal(np.ones(1), axes=axes, shape=[1] * 40)], "dims")


def test_repeated_axis_names_are_rejected():
    _rejects([signal(np.ones(4), axes=("x", "x"), shape=[2, 2])], "repeats")


@pytest.mark.parametrize("code", [0, 11, 12, 127, -1])
def test_unknown_or_string_dtype_codes_are_rejected(code):
    _rejects([signal(np.ones(2, dtype=np.uint8), dtype_code=code, shape=[2])], "dtype code")


def test_data_that_is_not_whole_elements_is_rejected():
    raw = np.ones(5, dtype=np.uint8)
    _rejects([signal(raw, shape=[1], dtype_code=10)], "whole number")


def test_zero_d_variable_with_several_elements_is_rejected():
    _rejects([signal(np.ones(2), axes=(), shape=[])], "0-D")


def test_missing_signal_is_rejected():
    _rejects([RawVariable("x", np.ones(2), axes=["x"])], "signal")


def test_duplicate_variable_names_are_rejected():
    _rejects([signal([1.0]), signal([2.0])], "twice")


def test_errors_of_another_shape_than_the_signal_are_rejected():
    _rejects([signal([1.0, 2.0]), RawVariable("errors", np.ones(3), axes=["x"])], "errors")


def test_errors_on_integer_data_are_rejected():
    _rejects(
        [signal(np.array([1, 2], dtype=np.int64)), RawVariable("errors", np.ones(2), axes=["x"])],
        "no variances",
    )


def test_coord_of_mismatched_length_is_rejected():
    _rejects([signal([1.0, 2.0]), RawVariable("x", np.ones(7), axes=["x"])], "inconsistent")


def test_unparsable_unit_is_rejected():
    _rejects([signal([1.0], unit="not a unit ((")], "inconsistent")


def test_datetime_unit_on_float_offsets_is_rejected():
    _rejects([signal([1.0]), RawVariable("t", np.ones(1), ["x"], unit="datetime64[ns]")], "int64")


def test_non_utf8_variable_name_is_rejected():
    _rejects([signal([1.0]), RawVariable(b"\xff\xfe", np.ones(1), axes=["x"])], "UTF-8")


def test_nan_and_inf_values_decode_as_data():
    data = decode_da00(build_da00([signal([np.nan, np.inf, -np.inf])])).data
    assert np.isnan(data.values[0])
    assert np.isinf(data.values[1:]).all()
