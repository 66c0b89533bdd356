"""ROI requests on ``{inst}_livedata_roi`` and ROI readbacks (PROTOCOL.md 7, 2.5).

A request is a da00 message with ``timestamp_ns=0`` whose ``source_name`` is
``{source}/{job_number}/roi_rectangle|roi_polygon`` and whose data is the full snapshot
of that geometry's ROIs: rectangles along dim ``bounds`` (two entries, min and max, per
ROI), polygons along dim ``vertex`` (one entry per vertex). ``signal`` is int32 ones,
coords ``x``/``y`` are float64 (unit None means pixel indices) and ``roi_index`` is
int32. Empty arrays clear every ROI of the geometry. The backend echoes requests back
in the same layout as the ``roi_rectangle``/``roi_polygon`` result outputs.
"""

from __future__ import annotations

import uuid
from typing import Literal, cast

import numpy as np
import scipp as sc
from pydantic import BaseModel, ConfigDict, model_validator

from .da00 import decode_da00, encode_da00
from .errors import DecodeError
from .ids import JobId

Geometry = Literal["roi_rectangle", "roi_polygon"]
RECTANGLE: Geometry = "roi_rectangle"
POLYGON: Geometry = "roi_polygon"
DEFAULT_INDICES: dict[Geometry, range] = {RECTANGLE: range(4), POLYGON: range(4, 8)}
_DIM: dict[Geometry, str] = {RECTANGLE: "bounds", POLYGON: "vertex"}
_INT32_MAX = 2**31 - 1


class RectangleROI(BaseModel):
    """An axis-aligned rectangle; a unit of None means pixel indices."""

    model_config = ConfigDict(frozen=True)

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    x_unit: str | None = None
    y_unit: str | None = None


class PolygonROI(BaseModel):
    """A polygon given by its vertices; a unit of None means pixel indices."""

    model_config = ConfigDict(frozen=True)

    x: list[float]
    y: list[float]
    x_unit: str | None = None
    y_unit: str | None = None

    @model_validator(mode="after")
    def _vertices_pair_up(self) -> PolygonROI:
        if len(self.x) != len(self.y) or not self.x:
            raise ValueError(f"polygon needs as many x as y, at least one: {self.x}, {self.y}")
        return self


ROI = RectangleROI | PolygonROI


def roi_stream_name(job_id: JobId, geometry: Geometry) -> str:
    """``{source}/{job_number}/{geometry}``: the ``source_name`` of an ROI request."""
    if geometry not in _DIM:
        raise ValueError(f"unknown ROI geometry {geometry!r}")
    return f"{job_id}/{geometry}"


def parse_roi_stream_name(name: str) -> tuple[JobId, Geometry]:
    """Inverse of :func:`roi_stream_name`; raises :class:`DecodeError` (kind ``"roi"``)."""
    parts = name.rsplit("/", 2)
    if len(parts) != 3 or not parts[0]:
        raise DecodeError("roi", f"stream name {name!r} is not 'source/job_number/geometry'")
    source, number, geometry = parts
    if geometry not in _DIM:
        raise DecodeError("roi", f"unknown ROI geometry {geometry!r} in {name!r}")
    try:
        job_number = uuid.UUID(number)
    except ValueError:
        raise DecodeError("roi", f"job number {number!r} in {name!r} is not a UUID") from None
    return JobId(source_name=source, job_number=job_number), cast(Geometry, geometry)


def rois_to_data_array(geometry: Geometry, rois: dict[int, ROI]) -> sc.DataArray:
    """The concatenated DataArray of ``rois`` (by ROI index) in the backend's layout.

    ROIs are laid out in the mapping's order, which :func:`data_array_to_rois` preserves,
    so re-encoding a decoded request reproduces its bytes.
    """
    if geometry not in _DIM:
        raise ValueError(f"unknown ROI geometry {geometry!r}")
    wanted = RectangleROI if geometry == RECTANGLE else PolygonROI
    xs: list[float] = []
    ys: list[float] = []
    indices: list[int] = []
    for index, roi in rois.items():
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= _INT32_MAX:
            raise ValueError(f"ROI index {index!r} is not a non-negative int32")
        if not isinstance(roi, wanted):
            raise ValueError(f"ROI {index} is a {type(roi).__name__}, not a {wanted.__name__}")
        x, y = _vertices(roi)
        xs.extend(x)
        ys.extend(y)
        indices.extend([index] * len(x))
    dim = _DIM[geometry]
    return sc.DataArray(
        sc.array(dims=[dim], values=np.ones(len(xs), dtype=np.int32), unit="dimensionless"),
        coords={
            "x": sc.array(dims=[dim], values=np.array(xs, dtype=np.float64), unit=_unit(rois, "x")),
            "y": sc.array(dims=[dim], values=np.array(ys, dtype=np.float64), unit=_unit(rois, "y")),
            "roi_index": sc.array(
                dims=[dim], values=np.array(indices, dtype=np.int32), unit="dimensionless"
            ),
        },
    )


def data_array_to_rois(da: sc.DataArray) -> dict[int, ROI]:
    """The ROIs in a request or readback DataArray; raises :class:`DecodeError`."""
    geometry = geometry_of(da)
    dim = _DIM[geometry]
    columns = []
    for name in ("x", "y", "roi_index"):
        coord = da.coords.get(name)
        if coord is None or coord.dims != (dim,) or coord.dtype == sc.DType.datetime64:
            raise DecodeError("roi", f"ROI data needs a coord {name!r} along {dim!r}")
        columns.append(coord)
    x, y, index = columns
    if index.dtype not in (sc.DType.int32, sc.DType.int64):
        raise DecodeError("roi", f"roi_index has dtype {index.dtype}, not an integer")
    units = tuple(None if c.unit is None else str(c.unit) for c in (x, y))
    groups: dict[int, list[int]] = {}
    for position, value in enumerate(index.values.tolist()):
        groups.setdefault(int(value), []).append(position)
    xv, yv = x.values.astype(np.float64).tolist(), y.values.astype(np.float64).tolist()
    rois: dict[int, ROI] = {}
    for roi_index, positions in groups.items():
        px, py = [xv[p] for p in positions], [yv[p] for p in positions]
        if geometry == POLYGON:
            rois[roi_index] = PolygonROI(x=px, y=py, x_unit=units[0], y_unit=units[1])
        elif len(positions) != 2:
            raise DecodeError("roi", f"rectangle {roi_index} has {len(positions)} bounds, not 2")
        else:
            rois[roi_index] = RectangleROI(
                x_min=px[0], x_max=px[1], y_min=py[0], y_max=py[1],
                x_unit=units[0], y_unit=units[1],
            )  # fmt: skip
    return rois


def geometry_of(da: sc.DataArray) -> Geometry:
    """``roi_rectangle`` for data along ``bounds``, ``roi_polygon`` along ``vertex``."""
    for geometry, dim in _DIM.items():
        if da.dims == (dim,):
            return geometry
    raise DecodeError("roi", f"ROI data has dims {da.dims}, expected ('bounds',) or ('vertex',)")


def encode_roi_request(job_id: JobId, geometry: Geometry, rois: dict[int, ROI]) -> bytes:
    """A full snapshot of one geometry's ROIs for one job; ``timestamp_ns`` is 0."""
    if not isinstance(job_id, JobId):
        raise ValueError(f"job_id must be a JobId, got {job_id!r}")
    return encode_da00(
        rois_to_data_array(geometry, rois),
        source_name=roi_stream_name(job_id, geometry),
        timestamp_ns=0,
    )


def decode_roi_request(buf: bytes) -> tuple[JobId, Geometry, dict[int, ROI]]:
    """Decode an ROI request; raises only :class:`DecodeError`."""
    msg = decode_da00(buf)
    job_id, geometry = parse_roi_stream_name(msg.source_name)
    if geometry_of(msg.data) != geometry:
        raise DecodeError("roi", f"{geometry} request carries data along {msg.data.dims}")
    return job_id, geometry, data_array_to_rois(msg.data)


def _vertices(roi: ROI) -> tuple[list[float], list[float]]:
    if isinstance(roi, RectangleROI):
        return [roi.x_min, roi.x_max], [roi.y_min, roi.y_max]
    return list(roi.x), list(roi.y)


def _unit(rois: dict[int, ROI], axis: str) -> str | None:
    units = {getattr(roi, f"{axis}_unit") for roi in rois.values()}
    if len(units) > 1:
        raise ValueError(f"ROIs mix {axis} units {sorted(map(str, units))}; use one unit")
    return units.pop() if units else None
