"""The latest ROI request per job and geometry: readback arrays and pixel masks.

The dashboard publishes each geometry as a full snapshot (latest wins, an empty array
clears it). The real detector service echoes the request as the ``roi_rectangle`` /
``roi_polygon`` outputs and adds one ``roi_spectra`` row per ROI index; this module holds
that state for one job and answers both questions.

ROI coordinates are read as pixel indices (the dummy detector images carry no x/y
coords, so a unit-less ROI is in pixels): column index for ``x``, row index for ``y``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipp as sc

from livedash.protocol.roi import Geometry, rois_to_data_array

GEOMETRIES: tuple[Geometry, ...] = ("roi_rectangle", "roi_polygon")


class RoiState:
    """The current ROIs of one job, by geometry and ROI index.

    Owned by one job; written by the loop thread when a ROI message arrives and read by
    the same thread when the job's detector synthesizer runs.
    """

    def __init__(self) -> None:
        self._rois: dict[str, dict[int, Any]] = {geometry: {} for geometry in GEOMETRIES}
        self._version = 0

    def update(self, geometry: Geometry, rois: dict[int, Any]) -> None:
        """Replace every ROI of ``geometry`` with ``rois`` (a snapshot; ``{}`` clears).

        ValueError, with the state unchanged, if the ROIs cannot be echoed (an index
        outside int32, mixed units, a shape of the other geometry).
        """
        if geometry not in self._rois:
            raise ValueError(f"unknown ROI geometry {geometry!r}")
        rois_to_data_array(geometry, rois)
        self._rois[geometry] = dict(sorted(rois.items()))
        self._version += 1

    @property
    def version(self) -> int:
        """Incremented on every update, so consumers can cache derived masks."""
        return self._version

    def rois(self, geometry: Geometry) -> dict[int, Any]:
        """The ROIs of ``geometry`` by index (a copy)."""
        return dict(self._rois[geometry])

    def readback(self, geometry: Geometry) -> sc.DataArray:
        """The readback array of ``geometry``, in the request's own layout.

        Rectangles: axis ``bounds``, two entries per ROI ([min, max] in ``x`` and ``y``).
        Polygons: axis ``vertex``, one entry per vertex. ``signal`` is int32 ones
        (dimensionless) and ``roi_index`` int32; empty arrays when no ROI is set.
        """
        return rois_to_data_array(geometry, self._rois[geometry])

    def masks(self, shape: tuple[int, int]) -> dict[int, np.ndarray]:
        """Boolean pixel masks of shape ``(ny, nx)`` per ROI index, ascending by index."""
        ny, nx = shape
        y, x = np.mgrid[0:ny, 0:nx]
        masks: dict[int, np.ndarray] = {}
        for geometry in GEOMETRIES:
            for roi_index, roi in self._rois[geometry].items():
                if geometry == "roi_rectangle":
                    masks[roi_index] = (
                        (x >= roi.x_min) & (x <= roi.x_max) & (y >= roi.y_min) & (y <= roi.y_max)
                    )
                else:
                    masks[roi_index] = _inside_polygon(x, y, list(roi.x), list(roi.y))
        return dict(sorted(masks.items()))


def _inside_polygon(x: np.ndarray, y: np.ndarray, px: list[float], py: list[float]) -> np.ndarray:
    """Even-odd rule (ray casting) for every point of the grid ``(x, y)``."""
    inside = np.zeros(x.shape, dtype=bool)
    n = len(px)
    if n < 3:
        return inside
    for i in range(n):
        x1, y1 = px[i], py[i]
        x2, y2 = px[(i + 1) % n], py[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_at)
    return inside
