"""Event-detector views (``panel_0_xy``, ``panel_0_layers``): images, totals, ROI spectra.

Wire shapes follow the real detector_data service (PROTOCOL.md 2.5): float64 ``counts``
images with an int64, unit-less ``detector_number`` coord and no x/y coords; 0-D float64
totals; ``roi_spectra_*`` of dims ``(roi, time_of_arrival)`` with int32 ``roi`` indices,
bin-edge ``time_of_arrival`` in the params' unit and ``event_time_offset`` in ns; ROI
readbacks echoing the latest request. No ``errors`` anywhere.

The simulated events arrive at ``rate_hz`` with a drifting Gaussian hit pattern and a
normally distributed time of arrival (30 ms ± 10 ms, like the upstream fake producer).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import scipp as sc

from ..rois import RoiState
from .base import TimeEdges, Window, bin_probabilities, drifting_blob, fraction_in_range

Layout = Literal["xy", "layers"]

_SHAPE_XY = (128, 128)
_LAYERS = 4
_TOA_MEAN_MS = 30.0
_TOA_SIGMA_MS = 10.0
# Wavelength mode: a broad band centred at 5 Å, in Å.
_WAVELENGTH_MEAN_A = 5.0
_WAVELENGTH_SIGMA_A = 1.5
_WAVELENGTH_TO_A = {"Å": 1.0, "nm": 10.0}
_WAVELENGTH_UNIT = {"Å": "angstrom", "nm": "nm"}


class DetectorSynthesizer:
    """One detector-view job: accumulates images, totals and per-ROI spectra.

    ``layout="xy"`` gives ``(y, x) = (128, 128)`` images; ``"layers"`` the same pixels as
    ``(layer, y, x) = (4, 32, 128)``. ``rois`` is the job's ROI state; when given, the
    ROI spectra and readback outputs are produced too.
    """

    def __init__(
        self,
        *,
        params: dict[str, Any],
        rng: np.random.Generator,
        layout: Layout = "xy",
        rois: RoiState | None = None,
        rate_hz: float = 20_000.0,
    ) -> None:
        if layout not in ("xy", "layers"):
            raise ValueError(f"unknown detector layout {layout!r}")
        self._rng = rng
        self._layout = layout
        self._rois = rois
        self._rate_hz = rate_hz
        self._spectrum = _SpectrumAxis.from_params(params)
        self._in_range_fraction = self._spectrum.fraction_in_range(params)
        self._detector_number = np.arange(1, _SHAPE_XY[0] * _SHAPE_XY[1] + 1, dtype=np.int64)
        self._masks_version = -1
        self._masks: dict[int, np.ndarray] = {}
        self.reset()

    def reset(self) -> None:
        self._image = np.zeros(_SHAPE_XY, dtype=np.float64)
        self._total = 0.0
        self._in_range = 0.0
        self._spectra: dict[int, np.ndarray] = {}

    def step(self, window: Window) -> dict[str, sc.DataArray]:
        expected = self._rate_hz * window.duration_s * drifting_blob(_SHAPE_XY, window.midpoint_s)
        current = self._rng.poisson(expected).astype(np.float64)
        total = float(current.sum())
        in_range = float(self._rng.binomial(int(total), self._in_range_fraction))
        self._image += current
        self._total += total
        self._in_range += in_range
        outputs = {
            "cumulative": self._image_array(self._image.copy()),
            "current": self._image_array(current),
            "counts_total": _counts(total),
            "counts_total_cumulative": _counts(self._total),
            "counts_in_toa_range": _counts(in_range),
            "counts_in_toa_range_cumulative": _counts(self._in_range),
        }
        if self._rois is not None:
            outputs.update(self._roi_outputs(current))
        return outputs

    def _image_array(self, image: np.ndarray) -> sc.DataArray:
        if self._layout == "xy":
            dims, shape = ["y", "x"], _SHAPE_XY
        else:
            dims, shape = ["layer", "y", "x"], (_LAYERS, _SHAPE_XY[0] // _LAYERS, _SHAPE_XY[1])
        return sc.DataArray(
            sc.array(dims=dims, values=image.reshape(shape), unit="counts"),
            coords={
                "detector_number": sc.array(
                    dims=dims, values=self._detector_number.reshape(shape), unit=None
                )
            },
        )

    def _roi_outputs(self, current: np.ndarray) -> dict[str, sc.DataArray]:
        rois = self._rois
        if rois is None:
            return {}
        self._refresh_masks(rois)
        probabilities = self._spectrum.probabilities
        current_rows = []
        for index, mask in self._masks.items():
            n = int(current[mask].sum())
            row = self._rng.multinomial(n, probabilities)[:-1].astype(np.float64)
            self._spectra[index] = self._spectra.get(index, 0.0) + row
            current_rows.append(row)
        indices = list(self._masks)
        cumulative_rows = [self._spectra[index] for index in indices]
        return {
            "roi_spectra_current": self._spectra_array(indices, current_rows),
            "roi_spectra_cumulative": self._spectra_array(indices, cumulative_rows),
            "roi_rectangle": rois.readback("roi_rectangle"),
            "roi_polygon": rois.readback("roi_polygon"),
        }

    def _refresh_masks(self, rois: RoiState) -> None:
        """Recompute masks after a ROI change; a changed or removed ROI restarts its sum."""
        if rois.version == self._masks_version:
            return
        masks = rois.masks(_SHAPE_XY)
        for index in list(self._spectra):
            old = self._masks.get(index)
            if index not in masks or old is None or not np.array_equal(old, masks[index]):
                del self._spectra[index]
        self._masks = masks
        self._masks_version = rois.version

    def _spectra_array(self, indices: list[int], rows: list[np.ndarray]) -> sc.DataArray:
        axis = self._spectrum
        values = np.stack(rows) if rows else np.zeros((0, axis.edges.num_bins), dtype=np.float64)
        coords = {
            "roi": sc.array(
                dims=["roi"], values=np.asarray(indices, dtype=np.int32), unit="dimensionless"
            ),
            axis.dim: axis.edges_coord(),
        }
        if axis.dim == "time_of_arrival":
            coords["event_time_offset"] = axis.edges.coord_ns(axis.dim)
        return sc.DataArray(
            sc.array(dims=["roi", axis.dim], values=values, unit="counts"), coords=coords
        )


class _SpectrumAxis:
    """The spectrum axis chosen by ``coordinate_mode``: time of arrival or wavelength."""

    def __init__(self, dim: str, edges: TimeEdges, unit: str, probabilities: np.ndarray):
        self.dim = dim
        self.edges = edges
        self._unit = unit
        # Last entry: the share of events outside the edges (dropped, as in a histogram).
        self.probabilities = np.append(probabilities, max(0.0, 1.0 - probabilities.sum()))

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> _SpectrumAxis:
        mode = params.get("coordinate_mode", {}).get("mode", "toa")
        if mode == "wavelength" and "wavelength_edges" in params:
            block = params["wavelength_edges"]
            unit = str(block.get("unit", "Å"))
            edges = TimeEdges.from_params({**block, "unit": "ms"})
            scale = _WAVELENGTH_TO_A.get(unit, 1.0)
            p = bin_probabilities(edges.values * scale, _WAVELENGTH_MEAN_A, _WAVELENGTH_SIGMA_A)
            return cls("wavelength", edges, _WAVELENGTH_UNIT.get(unit, "angstrom"), p)
        edges = TimeEdges.from_params(params["toa_edges"])
        p = bin_probabilities(edges.ms, _TOA_MEAN_MS, _TOA_SIGMA_MS)
        return cls("time_of_arrival", edges, edges.unit, p)

    def edges_coord(self) -> sc.Variable:
        if self.dim == "time_of_arrival":
            return self.edges.coord(self.dim)
        return sc.array(dims=[self.dim], values=self.edges.values, unit=self._unit)

    def fraction_in_range(self, params: dict[str, Any]) -> float:
        if self.dim == "time_of_arrival":
            return fraction_in_range(params.get("toa_range", {}), _TOA_MEAN_MS, _TOA_SIGMA_MS)
        block = params.get("wavelength_range", {})
        if not block.get("enabled", False):
            return 1.0
        scale = _WAVELENGTH_TO_A.get(str(block.get("unit", "Å")), 1.0)
        converted = {
            "enabled": True,
            "unit": "ms",
            "start": block["start"] * scale,
            "stop": block["stop"] * scale,
        }
        return fraction_in_range(converted, _WAVELENGTH_MEAN_A, _WAVELENGTH_SIGMA_A)


def _counts(value: float) -> sc.DataArray:
    return sc.DataArray(sc.scalar(float(value), unit="counts", dtype="float64"))
