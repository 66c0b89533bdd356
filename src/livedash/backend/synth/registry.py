"""Which synthesizer simulates which workflow, and which raw stream it stands in for.

Workflows are matched by name for the known dummy workflows and otherwise by the
service that owns them, so a new instrument file with detector, monitor, reduction or
timeseries workflows gets plausible data without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from livedash.instruments import WorkflowSpec

from ..rois import RoiState
from .area import AreaDetectorSynthesizer
from .base import Synthesizer
from .detector import DetectorSynthesizer
from .monitor import MonitorSynthesizer
from .timeseries import TimeseriesSynthesizer
from .totals import TotalCountsSynthesizer


@dataclass(frozen=True)
class Family:
    """A kind of simulated workflow and the raw input the real service would read.

    ``raw_topic_suffix`` and ``raw_rate_hz`` describe that input (topic
    ``{instrument}_{suffix}``, messages per second per source); they feed the
    ``stream_stats`` of the service heartbeat.
    """

    name: str
    raw_topic_suffix: str
    raw_rate_hz: float


DETECTOR_XY = Family("detector_xy", "detector", 14.0)
DETECTOR_LAYERS = Family("detector_layers", "detector", 14.0)
AREA = Family("area", "area_detector", 14.0)
MONITOR = Family("monitor", "beam_monitor", 14.0)
TOTALS = Family("totals", "detector", 14.0)
TIMESERIES = Family("timeseries", "motion", 5.0)

_BY_NAME = {
    "panel_0_xy": DETECTOR_XY,
    "panel_0_layers": DETECTOR_LAYERS,
    "area_panel_xy": AREA,
    "monitor_histogram": MONITOR,
    "total_counts": TOTALS,
    "timeseries_data": TIMESERIES,
}
_BY_SERVICE = {
    "detector_data": DETECTOR_XY,
    "monitor_data": MONITOR,
    "data_reduction": TOTALS,
    "timeseries": TIMESERIES,
}


def family_for(spec: WorkflowSpec) -> Family:
    """The family simulating ``spec`` (a WorkflowSpec); ValueError if none fits."""
    family = _BY_NAME.get(spec.id.name) or _BY_SERVICE.get(spec.service)
    if family is None:
        raise ValueError(f"no synthesizer for workflow {spec.id} of service {spec.service!r}")
    return family


def uses_rois(spec: WorkflowSpec) -> bool:
    """Whether the workflow has ROI readback outputs (and so consumes ROI requests)."""
    return "roi_rectangle" in spec.outputs or "roi_polygon" in spec.outputs


def make_synthesizer(
    spec: WorkflowSpec,
    *,
    source_name: str,
    params: dict[str, Any],
    rng: np.random.Generator,
    rois: RoiState | None,
) -> Synthesizer:
    """Build the synthesizer for one job of ``spec`` on ``source_name``.

    ``params`` must be complete (defaults merged in). ``rois`` is passed to workflows
    with ROI outputs only.
    """
    family = family_for(spec)
    if family is DETECTOR_XY or family is DETECTOR_LAYERS:
        layout = "layers" if family is DETECTOR_LAYERS else "xy"
        return DetectorSynthesizer(
            params=params, rng=rng, layout=layout, rois=rois if uses_rois(spec) else None
        )
    if family is AREA:
        return AreaDetectorSynthesizer(rng=rng)
    if family is MONITOR:
        return MonitorSynthesizer(source_name=source_name, params=params, rng=rng)
    if family is TOTALS:
        return TotalCountsSynthesizer(rng=rng)
    return TimeseriesSynthesizer(source_name=source_name, rng=rng)
