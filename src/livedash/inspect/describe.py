"""Turn one raw Kafka value into a JSON-ready description, whatever the topic.

The description is a plain dict: ``{"kind": ..., ...fields}`` for a decoded message, or
``{"kind": "error", "reason": ...}`` when the bytes cannot be decoded. Nothing here raises
for bad input: support staff inspect exactly the messages that are broken.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import scipp as sc

from livedash.protocol.acks import decode_ack
from livedash.protocol.commands import JobCommand, decode_command
from livedash.protocol.errors import DecodeError
from livedash.protocol.results import decode_result
from livedash.protocol.roi import decode_roi_request
from livedash.protocol.schemas import schema_id
from livedash.protocol.status import JobStatus, decode_status
from livedash.protocol.topics import StreamKind

_KIND_BY_SUFFIX = {f"_{kind.value}": kind for kind in StreamKind}


def stream_kind_of(topic: str) -> StreamKind | None:
    """The livedata stream kind a topic name belongs to, from its suffix."""
    for suffix, kind in _KIND_BY_SUFFIX.items():
        if topic.endswith(suffix):
            return kind
    return None


def describe(topic: str, value: bytes) -> dict[str, Any]:
    """Decode ``value`` as a message of ``topic`` and describe it."""
    kind = stream_kind_of(topic) or _sniff(value)
    describer = _DESCRIBERS.get(kind) if kind is not None else None
    if describer is None:
        return {"kind": "error", "decoding": "unknown", "reason": f"no decoder for topic {topic!r}"}
    try:
        return describer(value)
    except DecodeError as err:
        return {"kind": "error", "decoding": err.kind, "reason": err.reason, "size": len(value)}


def _sniff(value: bytes) -> StreamKind | None:
    try:
        schema = schema_id(value)
    except DecodeError:
        schema = ""
    if schema == "da00":
        return StreamKind.DATA
    if schema == "x5f2":
        return StreamKind.STATUS
    try:
        document = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(document, dict) and "kind" in document:
        return StreamKind.COMMANDS
    if isinstance(document, dict) and "response" in document:
        return StreamKind.RESPONSES
    return None


def _describe_result(value: bytes) -> dict[str, Any]:
    key, message = decode_result(value)
    return {
        "kind": "result",
        "workflow_id": str(key.workflow_id),
        "job_id": str(key.job_id),
        "output_name": key.output_name,
        "timestamp_ns": message.timestamp_ns,
        **describe_data_array(message.data),
    }


def _describe_roi(value: bytes) -> dict[str, Any]:
    job_id, geometry, rois = decode_roi_request(value)
    return {
        "kind": "roi_request",
        "job_id": str(job_id),
        "geometry": geometry,
        "rois": {str(index): roi.model_dump(mode="json") for index, roi in rois.items()},
    }


def _describe_status(value: bytes) -> dict[str, Any]:
    message = decode_status(value)
    envelope = message.envelope
    status = message.status
    return {
        "kind": "job_status" if isinstance(status, JobStatus) else "service_status",
        "service_id": envelope.service_id,
        "software": f"{envelope.software_name} {envelope.software_version}",
        "host": envelope.host_name,
        "pid": envelope.process_id,
        "update_interval_ms": envelope.update_interval,
        "nicos_status": message.nicos_status,
        "status": _with_string_ids(status.model_dump(mode="json", exclude_none=True), status),
    }


def _describe_command(value: bytes) -> dict[str, Any]:
    command = decode_command(value)
    described = _with_string_ids(command.model_dump(mode="json"), command)
    described["kind"] = "job_command" if isinstance(command, JobCommand) else "workflow_config"
    return described


def _with_string_ids(described: dict[str, Any], model: Any) -> dict[str, Any]:
    """Replace nested id objects by their wire string forms (``inst/name/ver``, ``src/uuid``)."""
    for field in ("workflow_id", "identifier", "job_id"):
        value = getattr(model, field, None)
        if value is not None:
            described[field] = str(value)
    return described


def _describe_ack(value: bytes) -> dict[str, Any]:
    return {"kind": "ack", **decode_ack(value).model_dump(mode="json")}


_DESCRIBERS: dict[StreamKind, Callable[[bytes], dict[str, Any]]] = {
    StreamKind.DATA: _describe_result,
    StreamKind.NICOS_DATA: _describe_result,
    StreamKind.STATUS: _describe_status,
    StreamKind.COMMANDS: _describe_command,
    StreamKind.RESPONSES: _describe_ack,
    StreamKind.ROI: _describe_roi,
}


def describe_data_array(data: sc.DataArray) -> dict[str, Any]:
    """Name, dims, shape, unit, dtype, sums and coords of a decoded result."""
    return {
        "name": data.name,
        "dims": list(data.dims),
        "shape": list(data.shape),
        "unit": _unit(data.unit),
        "dtype": str(data.dtype),
        "has_variances": data.variances is not None,
        **_statistics(data.values),
        "coords": {
            name: {
                "dims": list(coord.dims),
                "shape": list(coord.shape),
                "unit": _unit(coord.unit),
                "dtype": str(coord.dtype),
                **_statistics(coord.values),
            }
            for name, coord in data.coords.items()
        },
    }


def _unit(unit: sc.Unit | None) -> str | None:
    return None if unit is None else str(unit)


def _statistics(values: Any) -> dict[str, Any]:
    array = np.asarray(values)
    if array.dtype.kind == "M":
        array = array.astype("datetime64[ns]").astype(np.int64)
    if array.dtype.kind not in "biuf" or array.size == 0:
        return {"size": int(array.size)}
    stats: dict[str, Any] = {"size": int(array.size)}
    if array.dtype.kind == "f":
        finite = array[np.isfinite(array)]
        stats["nan_count"] = int(np.isnan(array).sum())
        stats["sum"] = float(finite.sum()) if finite.size else None
        stats["min"] = float(finite.min()) if finite.size else None
        stats["max"] = float(finite.max()) if finite.size else None
    else:
        stats["sum"] = int(array.sum(dtype=np.int64)) if array.dtype.kind != "b" else None
        stats["min"] = int(array.min())
        stats["max"] = int(array.max())
    if array.size == 1:
        stats["value"] = array.reshape(()).item()
    return stats
