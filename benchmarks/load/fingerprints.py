"""Which backend result did a browser draw? Fingerprints of results and of drawn data.

A plot state carries no backend timestamp, so the benchmark recognises results by
their values. The page probe (``probe.js``) computes, for every data source it sees
change, a number from the data the browser received; :func:`result_fingerprint`
computes the same number from a result taken off the data topic, with livedash's own
plotters (so slicing, masking and the float32 transfer of images are the same):

| probe kind | fingerprint |
|---|---|
| ``image`` (image and slicer) | sum of the finite float32 pixel values |
| ``line`` | sum of the finite values (the point source's ``y``) |
| ``ts`` | the latest sample time, in ms since the epoch |

Cumulative outputs grow with every update, so consecutive results have different
fingerprints; the sums of counts are exact in float64 whatever the summation order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipp as sc

from livedash.plots.model import PlotterParams
from livedash.plots.plotters import PlotterRegistry
from livedash.plots.state import ImageState, LineState, TimeseriesState

from .scenario import PlotSpec

_REGISTRY = PlotterRegistry()
_PARAMS = PlotterParams()
REL_TOLERANCE = 1e-9


def result_fingerprint(plot: PlotSpec, data: sc.DataArray) -> float | None:
    """The fingerprint the probe would compute once ``data`` is drawn (None: empty)."""
    inputs = {"primary": data}
    state = _REGISTRY.choose(plot.plotter, inputs).compute(inputs, _PARAMS, None)
    if isinstance(state, ImageState):
        values = np.asarray(state.values, dtype=np.float32).astype(np.float64)
        return float(np.nansum(values)) if values.size else None
    if isinstance(state, LineState):
        return float(np.nansum(state.values)) if len(state.values) else None
    if isinstance(state, TimeseriesState):
        if len(state.times) == 0:
            return None
        return float(state.times.astype("datetime64[ns]").astype(np.int64).max() / 1e6)
    raise TypeError(f"unexpected plot state {type(state).__name__} for {plot.name}")


@dataclass(frozen=True)
class Published:
    """One result of a plot as it left the backend."""

    index: int  # position in the plot's sequence of results
    publish_ms: float  # Kafka message timestamp (the backend's produce time)
    received_ms: float  # when the benchmark's own consumer got it
    fingerprint: float


def same(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOLERANCE * max(abs(a), abs(b), 1.0)


def match(fingerprint: float, published: Sequence[Published]) -> Published | None:
    """The latest published result with this fingerprint, or None."""
    for result in reversed(published):
        if same(fingerprint, result.fingerprint):
            return result
    return None
