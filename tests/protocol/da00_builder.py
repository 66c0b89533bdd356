"""Hand-built da00 buffers whose declared fields need not be consistent.

``streaming_data_types`` derives each variable's shape and dtype from its numpy data, so
it cannot produce the malformed messages the decoder must reject; this builder writes
whatever it is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import flatbuffers
import numpy as np
from streaming_data_types.fbschemas.dataarray_da00 import da00_DataArray
from streaming_data_types.fbschemas.dataarray_da00 import da00_Variable as fb_variable
from streaming_data_types.fbschemas.dataarray_da00.da00_dtype import da00_dtype

DTYPE_CODES = {
    np.dtype(name): getattr(da00_dtype, name)
    for name in (
        "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
        "float32", "float64",
    )
}  # fmt: skip


@dataclass
class RawVariable:
    """One variable exactly as written; ``shape``/``dtype_code`` default to the data's."""

    name: str | bytes
    data: np.ndarray
    axes: list[str | bytes] = field(default_factory=list)
    shape: list[int] | None = None
    dtype_code: int | None = None
    unit: str | None = None
    label: str | None = None


def _string(builder: flatbuffers.Builder, value: str | bytes) -> int:
    return builder.CreateString(value if isinstance(value, bytes) else value.encode())


def _pack(builder: flatbuffers.Builder, var: RawVariable) -> int:
    unit = None if var.unit is None else _string(builder, var.unit)
    label = None if var.label is None else _string(builder, var.label)
    name = _string(builder, var.name)
    data = np.asarray(var.data)
    shape = list(data.shape) if var.shape is None else var.shape
    shape_offset = builder.CreateNumpyVector(np.asarray(shape, dtype=np.int64))
    data_offset = builder.CreateNumpyVector(data.reshape(-1).view(np.uint8))
    axes = [_string(builder, axis) for axis in var.axes]
    fb_variable.StartAxesVector(builder, len(axes))
    for axis in reversed(axes):
        builder.PrependUOffsetTRelative(axis)
    axes_offset = builder.EndVector()
    fb_variable.Start(builder)
    fb_variable.AddName(builder, name)
    if unit is not None:
        fb_variable.AddUnit(builder, unit)
    if label is not None:
        fb_variable.AddLabel(builder, label)
    code = DTYPE_CODES.get(data.dtype, 0) if var.dtype_code is None else var.dtype_code
    fb_variable.AddDataType(builder, code)
    fb_variable.AddAxes(builder, axes_offset)
    fb_variable.AddShape(builder, shape_offset)
    fb_variable.AddData(builder, data_offset)
    return fb_variable.End(builder)


def build_da00(variables: list[RawVariable], *, source_name: str = "src", timestamp_ns=0):
    """A da00 flatbuffer holding ``variables`` verbatim."""
    builder = flatbuffers.Builder(1024)
    builder.ForceDefaults(True)
    packed = [_pack(builder, var) for var in variables]
    da00_DataArray.StartDataVector(builder, len(packed))
    for offset in reversed(packed):
        builder.PrependUOffsetTRelative(offset)
    data = builder.EndVector()
    source = _string(builder, source_name)
    da00_DataArray.Start(builder)
    da00_DataArray.AddSourceName(builder, source)
    da00_DataArray.AddTimestamp(builder, timestamp_ns)
    da00_DataArray.AddData(builder, data)
    builder.Finish(da00_DataArray.End(builder), file_identifier=b"da00")
    return bytes(builder.Output())


def signal(values, axes=("x",), **kwargs) -> RawVariable:
    return RawVariable("signal", np.asarray(values), axes=list(axes), **kwargs)
