"""da00 flatbuffers <-> scipp DataArrays (PROTOCOL.md 2.3, 2.4 and 12.4).

Encoding follows the backend's ``scipp_to_da00``: the data goes into a variable named
``signal`` whose label is the DataArray's name; variances travel as the standard
deviations in ``errors``; each coord becomes a variable of its own name (coords whose
element shape differs from their shape, such as vector3, are dropped); masks are not
transported but set masked elements to NaN, promoting integer data to float64 first;
datetime64 variables travel as int64 offsets from the epoch with unit ``datetime64[<u>]``.

Decoding follows ``da00_to_scipp``: ``errors`` squared become the variances, the label
becomes the name (``''`` if absent), and any other variable becomes a coord only if its
axes are a subset of the signal's (the rest are listed in ``dropped_variables``).
Integers scipp lacks are widened: (u)int8 and (u)int16 to int32, uint32 to int64,
uint64 to float64. Nothing in a received buffer is trusted: offsets are verified, and
declared shapes are checked against the data length before any array is built.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass

import numpy as np
import scipp as sc
from streaming_data_types.dataarray_da00 import Variable, serialise_da00
from streaming_data_types.fbschemas.dataarray_da00.da00_DataArray import da00_DataArray

from ._da00_variable import WireVariable, decode_text, read_variable, to_scipp_variable
from .errors import DecodeError
from .schemas import DA00, Field, FieldKind, TableSchema, flatbuffer_guard, require_schema, verify

MAX_ELEMENTS = 2**31
"""Largest number of elements a received variable may declare."""

_INT64 = (-(2**63), 2**63 - 1)
_SIGNAL = "signal"
_ERRORS = "errors"
_REFERENCE_TIME = "reference_time"
_ENCODABLE = frozenset(
    np.dtype(name)
    for name in (
        "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float32", "float64",
    )
)  # fmt: skip

_VARIABLE = TableSchema(
    "Variable",
    (
        Field("name", 0, FieldKind.STRING, required=True),
        Field("unit", 1, FieldKind.STRING),
        Field("label", 2, FieldKind.STRING),
        Field("source", 3, FieldKind.STRING),
        Field("data_type", 4, FieldKind.SCALAR, size=1),
        Field("axes", 5, FieldKind.STRING_VECTOR),
        Field("shape", 6, FieldKind.VECTOR, size=8),
        Field("data", 7, FieldKind.VECTOR, size=1),
    ),
)
_SOURCE_NAME = Field("source_name", 0, FieldKind.STRING, required=True)
_DATA_ARRAY = TableSchema(
    "DataArray",
    (
        _SOURCE_NAME,
        Field("timestamp", 1, FieldKind.SCALAR, size=8),
        Field("data", 2, FieldKind.TABLE_VECTOR, table=_VARIABLE),
    ),
)
_SOURCE_NAME_ONLY = TableSchema("DataArray", (_SOURCE_NAME,))


@dataclass(frozen=True, eq=False)
class Da00Message:
    """One decoded da00 message.

    ``reference_time_ns`` is the last value of an int64/uint64 ``reference_time``
    variable if the message had one (see :func:`message_time_ns`); ``dropped_variables``
    names the variables that did not become coords. Compared by identity: DataArrays
    have no truth value.
    """

    source_name: str
    timestamp_ns: int
    data: sc.DataArray
    reference_time_ns: int | None = None
    dropped_variables: tuple[str, ...] = ()


def encode_da00(data: sc.DataArray, *, source_name: str, timestamp_ns: int) -> bytes:
    """Serialise ``data`` as a da00 flatbuffer with the backend's variable layout."""
    if not isinstance(data, sc.DataArray):
        raise ValueError(f"data must be a scipp.DataArray, got {type(data).__name__}")
    if not isinstance(source_name, str):
        raise ValueError(f"source_name must be a str, got {source_name!r}")
    if isinstance(timestamp_ns, bool) or not isinstance(timestamp_ns, int | np.integer):
        raise ValueError(f"timestamp_ns must be an int, got {timestamp_ns!r}")
    if not _INT64[0] <= int(timestamp_ns) <= _INT64[1]:
        raise ValueError(f"timestamp_ns {timestamp_ns} does not fit in int64")
    return serialise_da00(
        source_name=source_name, timestamp_ns=int(timestamp_ns), data=_to_variables(data)
    )


def decode_da00(buf: bytes) -> Da00Message:
    """Decode a da00 flatbuffer; raises only :class:`DecodeError`."""
    require_schema(buf, DA00, kind="da00")
    with flatbuffer_guard("da00"):
        verify(buf, _DATA_ARRAY, kind="da00")
        root = da00_DataArray.GetRootAs(buf, 0)
        source_name = decode_text(root.SourceName(), "source_name")
        timestamp_ns = int(root.Timestamp())
        variables = [
            read_variable(root.Data(index), max_elements=MAX_ELEMENTS)
            for index in range(root.DataLength())
        ]
    data, dropped = _to_data_array(variables)
    return Da00Message(
        source_name=source_name,
        timestamp_ns=timestamp_ns,
        data=data,
        reference_time_ns=_reference_time(variables),
        dropped_variables=dropped,
    )


def peek_source_name(buf: bytes) -> str:
    """The ``source_name`` of a da00 buffer, without touching its variables."""
    require_schema(buf, DA00, kind="da00")
    with flatbuffer_guard("da00"):
        verify(buf, _SOURCE_NAME_ONLY, kind="da00")
        return decode_text(da00_DataArray.GetRootAs(buf, 0).SourceName(), "source_name")


def message_time_ns(msg: Da00Message) -> int:
    """The message time: the last ``reference_time`` value if present, else ``timestamp_ns``."""
    if msg.reference_time_ns is not None:
        return msg.reference_time_ns
    coord = msg.data.coords.get(_REFERENCE_TIME)
    if coord is not None and coord.dtype == sc.DType.int64 and coord.values.size > 0:
        return int(coord.values.reshape(-1)[-1])
    return msg.timestamp_ns


def _reference_time(variables: list[WireVariable]) -> int | None:
    for var in variables:
        is_int = var.values.dtype in (np.int64, np.uint64)
        if var.name == _REFERENCE_TIME and is_int and var.values.size > 0:
            return int(var.values.reshape(-1)[-1])
    return None


def _to_data_array(variables: list[WireVariable]) -> tuple[sc.DataArray, tuple[str, ...]]:
    by_name: dict[str, WireVariable] = {}
    for var in variables:
        if var.name in by_name:
            raise DecodeError("da00", f"variable {var.name!r} appears twice")
        by_name[var.name] = var
    signal = by_name.pop(_SIGNAL, None)
    if signal is None:
        raise DecodeError("da00", f"no {_SIGNAL!r} variable among {sorted(by_name)}")
    errors = by_name.pop(_ERRORS, None)
    with flatbuffer_guard("da00", problem="inconsistent variables"):
        data = to_scipp_variable(signal)
        if errors is not None:
            _attach_variances(data, signal, errors)
        coords: dict[str, sc.Variable] = {}
        dropped: list[str] = []
        for name, var in by_name.items():
            if set(var.axes) <= set(signal.axes):
                coords[name] = to_scipp_variable(var)
            else:
                dropped.append(name)
        array = sc.DataArray(data, coords=coords, name=signal.label or "")
    return array, tuple(dropped)


def _attach_variances(data: sc.Variable, signal: WireVariable, errors: WireVariable) -> None:
    if errors.axes != signal.axes or errors.values.shape != signal.values.shape:
        raise DecodeError(
            "da00",
            f"errors {errors.axes}{errors.values.shape} do not match "
            f"signal {signal.axes}{signal.values.shape}",
        )
    if data.dtype not in (sc.DType.float64, sc.DType.float32) or errors.is_datetime:
        raise DecodeError("da00", f"errors given for {data.dtype} data, which has no variances")
    data.variances = np.square(errors.values.astype(data.values.dtype))


def _to_variables(da: sc.DataArray) -> list[Variable]:
    data = _masked(da)
    if data.variances is None:
        variables = [_to_variable(data, _SIGNAL, label=da.name)]
    else:
        variables = [
            _to_variable(sc.values(data), _SIGNAL, label=da.name),
            _to_variable(sc.stddevs(data), _ERRORS),
        ]
    for name, coord in da.coords.items():
        if name in (_SIGNAL, _ERRORS):
            raise ValueError(f"coord name {name!r} collides with a da00 data variable")
        if coord.values.shape != coord.shape:
            continue  # vector3 and other structured elements have no da00 form
        variables.append(_to_variable(coord, name))
    return variables


def _masked(da: sc.DataArray) -> sc.Variable:
    if not da.masks:
        return da.data
    if da.dtype == sc.DType.datetime64:
        raise ValueError("cannot encode masks on datetime64 data: there is no NaN to mark them")
    combined = functools.reduce(operator.or_, da.masks.values())
    try:
        mask = combined.broadcast(sizes=da.sizes).transpose(da.dims).values
    except sc.DimensionError:
        raise ValueError(f"masks with dims {combined.dims} do not fit data {da.sizes}") from None
    data = da.data.astype("float64") if da.dtype in (sc.DType.int32, sc.DType.int64) else da.data
    data = data.copy()
    values = data.values
    values[mask] = np.nan
    data.values = values
    if data.variances is not None:
        variances = data.variances
        variances[mask] = np.nan
        data.variances = variances
    return data


def _to_variable(var: sc.Variable, name: str, *, label: str | None = None) -> Variable:
    if var.dtype == sc.DType.datetime64:
        unit = f"datetime64[{var.unit}]"
        values = np.asarray((var - sc.epoch(unit=var.unit)).values, dtype=np.int64)
    else:
        unit = None if var.unit is None else str(var.unit)
        values = np.asarray(var.values)
        if values.dtype not in _ENCODABLE:
            raise ValueError(f"variable {name!r} has dtype {var.dtype}, which da00 cannot carry")
    if math.prod(values.shape) > MAX_ELEMENTS:
        raise ValueError(f"variable {name!r} has more than {MAX_ELEMENTS} elements")
    return Variable(
        name=name, data=values, axes=list(var.dims), shape=var.shape, unit=unit, label=label
    )
