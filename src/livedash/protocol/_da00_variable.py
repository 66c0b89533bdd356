"""One da00 variable as it arrives, checked, and its scipp form (PROTOCOL.md 2.3, 12.4).

The checks here run before any array is built: a dtype code outside the numeric da00
types, more than :data:`MAX_DIMS` axes, repeated axis names, negative dims, a declared
shape whose product disagrees with the data length, or more elements than allowed all
raise :class:`DecodeError`. The arrays returned are views into the received buffer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import scipp as sc
from streaming_data_types.fbschemas.dataarray_da00.da00_dtype import da00_dtype
from streaming_data_types.fbschemas.dataarray_da00.da00_Variable import da00_Variable

from .errors import DecodeError
from .schemas import read_string

MAX_DIMS = 32

_DTYPES = {
    da00_dtype.int8: np.dtype("<i1"),
    da00_dtype.uint8: np.dtype("<u1"),
    da00_dtype.int16: np.dtype("<i2"),
    da00_dtype.uint16: np.dtype("<u2"),
    da00_dtype.int32: np.dtype("<i4"),
    da00_dtype.uint32: np.dtype("<u4"),
    da00_dtype.int64: np.dtype("<i8"),
    da00_dtype.uint64: np.dtype("<u8"),
    da00_dtype.float32: np.dtype("<f4"),
    da00_dtype.float64: np.dtype("<f8"),
}
# scipp has no 8/16-bit or unsigned integers; these are the backend's replacements.
_WIDENED = {
    np.dtype("int8"): np.dtype("int32"),
    np.dtype("uint8"): np.dtype("int32"),
    np.dtype("int16"): np.dtype("int32"),
    np.dtype("uint16"): np.dtype("int32"),
    np.dtype("uint32"): np.dtype("int64"),
    np.dtype("uint64"): np.dtype("float64"),
}
_DATETIME_UNIT = re.compile(r"datetime64\[(\w+)\]")


@dataclass(frozen=True, eq=False)
class WireVariable:
    """A received da00 variable: ``values`` already shaped, in its wire dtype."""

    name: str
    unit: str | None
    label: str | None
    axes: tuple[str, ...]
    values: np.ndarray

    @property
    def is_datetime(self) -> bool:
        return self.unit is not None and self.unit.startswith("datetime64")


def read_variable(var: da00_Variable, *, max_elements: int) -> WireVariable:
    """Read and check one (already bounds-verified) flatbuffer variable."""
    name = decode_text(var.Name(), "variable name")
    dtype = _DTYPES.get(var.DataType())
    if dtype is None:
        raise DecodeError("da00", f"variable {name!r} has unsupported dtype code {var.DataType()}")
    if var.AxesLength() > MAX_DIMS or var.ShapeLength() > MAX_DIMS:
        raise DecodeError("da00", f"variable {name!r} has more than {MAX_DIMS} dims")
    axes = tuple(decode_text(var.Axes(i), f"axis of {name!r}") for i in range(var.AxesLength()))
    if len(set(axes)) != len(axes):
        raise DecodeError("da00", f"variable {name!r} repeats an axis in {axes}")
    shape = () if var.ShapeIsNone() else tuple(int(n) for n in var.ShapeAsNumpy())
    raw = np.zeros(0, dtype=np.uint8) if var.DataIsNone() else var.DataAsNumpy()
    if raw.nbytes % dtype.itemsize:
        raise DecodeError(
            "da00", f"variable {name!r}: {raw.nbytes} bytes is not a whole number of {dtype}"
        )
    count = raw.nbytes // dtype.itemsize
    _check_shape(name, axes, shape, count, max_elements)
    values = raw.view(dtype).reshape(tuple(shape) if axes else ())
    return WireVariable(
        name=name,
        unit=None if var.Unit() is None else decode_text(var.Unit(), f"unit of {name!r}"),
        label=None if var.Label() is None else decode_text(var.Label(), f"label of {name!r}"),
        axes=axes,
        values=values,
    )


def to_scipp_variable(var: WireVariable) -> sc.Variable:
    """The scipp form of ``var``: widened integers, datetime64 from epoch offsets."""
    values = var.values.astype(var.values.dtype.newbyteorder("="), copy=False)
    values = values.astype(_WIDENED.get(values.dtype, values.dtype), copy=False)
    if var.is_datetime:
        match = _DATETIME_UNIT.fullmatch(var.unit or "")
        if match is None or values.dtype != np.int64:
            raise DecodeError(
                "da00", f"variable {var.name!r}: {var.unit!r} needs int64 epoch offsets"
            )
        unit = match.group(1)
        return sc.epoch(unit=unit) + sc.array(dims=list(var.axes), values=values, unit=unit)
    return sc.array(dims=list(var.axes), values=values, unit=var.unit)


def _check_shape(
    name: str, axes: tuple[str, ...], shape: tuple[int, ...], count: int, max_elements: int
) -> None:
    if not axes:
        # A 0-D variable holds one element. Its declared shape is () from the backend,
        # but streaming_data_types writes the byte count (e.g. (8,)) for Python scalars.
        if count != 1:
            raise DecodeError("da00", f"0-D variable {name!r} holds {count} elements, not 1")
        return
    if len(shape) != len(axes):
        raise DecodeError("da00", f"variable {name!r} has axes {axes} but shape {shape}")
    if any(n < 0 for n in shape):
        raise DecodeError("da00", f"variable {name!r} declares negative shape {shape}")
    declared = math.prod(shape)
    if declared > max_elements:
        raise DecodeError(
            "da00", f"variable {name!r} declares {declared} elements (limit {max_elements})"
        )
    if declared != count:
        raise DecodeError(
            "da00", f"variable {name!r} declares shape {shape} but carries {count} elements"
        )


def decode_text(raw: bytes | None, what: str) -> str:
    """A da00 string field as text; :class:`DecodeError` if missing or not UTF-8."""
    return read_string(raw, what, kind="da00")
