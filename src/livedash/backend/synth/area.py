"""Area-detector view (``area_panel_xy``): summed camera frames.

The real service only emits ``cumulative`` and ``current`` for this workflow, both
``(dim_0, dim_1) = (256, 256)`` int32 ``dimensionless`` (the ad00 uint16 frames widened
to int32), with no other coords: the declared totals and ROI outputs never appear on
the wire (PROTOCOL.md 2.5), so they are not produced here either.

The simulated camera delivers ``frame_rate_hz`` frames per second, each a moving
Gaussian blob with Poisson noise (like the upstream ``fake_detectors --mode ad00``).
"""

from __future__ import annotations

import numpy as np
import scipp as sc

from .base import Window, drifting_blob

_SHAPE = (256, 256)
_INT32_MAX = np.iinfo(np.int32).max


class AreaDetectorSynthesizer:
    """One area-detector job: the sum of the frames of each window and since start."""

    def __init__(
        self,
        *,
        rng: np.random.Generator,
        frame_rate_hz: float = 14.0,
        counts_per_frame: float = 450_000.0,
    ) -> None:
        self._rng = rng
        self._frame_rate_hz = frame_rate_hz
        self._counts_per_frame = counts_per_frame
        self.reset()

    def reset(self) -> None:
        # int64 internally so that a long run saturates at the int32 limit, not wraps.
        self._image = np.zeros(_SHAPE, dtype=np.int64)

    def step(self, window: Window) -> dict[str, sc.DataArray]:
        frames = self._frame_rate_hz * window.duration_s
        expected = (
            frames
            * self._counts_per_frame
            * drifting_blob(_SHAPE, window.midpoint_s, period_s=45.0)
        )
        current = self._rng.poisson(expected)
        self._image += current
        return {
            "cumulative": _image(self._image),
            "current": _image(current),
        }


def _image(values: np.ndarray) -> sc.DataArray:
    clipped = np.minimum(values, _INT32_MAX).astype(np.int32)
    return sc.DataArray(sc.array(dims=["dim_0", "dim_1"], values=clipped, unit="dimensionless"))
