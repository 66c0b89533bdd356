"""From raw records to numbers: session start, update latency, rate, missed and late updates.

Input per tab (:class:`TabRecord`, filled by the browser or the Bokeh-client driver):
when its page was requested, the data sources it saw (kind, image shape), the first
time each was drawn, and every update (source, applied, painted, fingerprint). Input
from the broker: every result published per plot (:class:`~.fingerprints.Published`).

- A source is assigned to the plot whose published fingerprints it matches most.
- **Session start**: page request to the moment the last of the four plots was first
  painted.
- **Update latency** of a drawn update: painted time minus the Kafka timestamp of the
  result it shows (applied time for the Bokeh client, which does not paint).
- Per tab and plot in the measurement window: **rate** (updates drawn per second),
  **missed** (results published in the window that were never drawn as their own
  update: superseded before the tab drew them), **late** (drawn more than
  :data:`LATE_S` after publication), and the **longest gap** between updates (a
  silent freeze shows as a gap far above the 1 s publish interval).
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .fingerprints import Published, match, same
from .scenario import PLOTS

LATE_S = 1.5
FREEZE_GAP_S = 5.0
# Results published this close to the end of the window may legitimately arrive after it.
END_GRACE_S = 2.0


@dataclass
class TabRecord:
    """What one tab (or one Bokeh-client session) saw."""

    tab: int
    request_ms: float
    worker: str = ""
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    firsts: dict[str, dict[str, float]] = field(default_factory=dict)
    draws: list[tuple[str, float, float, float]] = field(default_factory=list)
    error: str | None = None
    html_ms: float | None = None  # the page's HTML fully received
    doc_ms: float | None = None  # the Bokeh document existed in the page
    patch_ms: list[float] = field(default_factory=list)  # PATCH-DOC arrivals (client mode)
    lost_ms: float | None = None  # the server closed the connection (before we closed it)


def patch_rate_hz(
    records: Sequence[TabRecord], window_ms: tuple[float, float]
) -> dict[str, float | None]:
    """Median and minimum over sessions of the PATCH-DOC messages received per second."""
    start, end = window_ms
    rates = [
        sum(start <= t <= end for t in r.patch_ms) / ((end - start) / 1000.0)
        for r in records
        if r.patch_ms
    ]
    return {
        "median": statistics.median(rates) if rates else None,
        "min": min(rates) if rates else None,
    }


def start_phases(records: Sequence[TabRecord]) -> dict[str, dict[str, float | int | None]]:
    """Medians and p95 of the parts of the session start, from the page request."""
    html = [(r.html_ms - r.request_ms) / 1000.0 for r in records if r.html_ms]
    doc = [(r.doc_ms - r.request_ms) / 1000.0 for r in records if r.doc_ms]
    return {"html_s": summary(html), "document_s": summary(doc)}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else None,
    }


def assign_sources(
    record: TabRecord, published: Mapping[str, Sequence[Published]]
) -> dict[str, str]:
    """Source id -> plot name, by kind and then by fingerprint matches."""
    fingerprints: dict[str, list[float]] = defaultdict(list)
    for source, first in record.firsts.items():
        if first:
            fingerprints[source].append(first["fp"])
    for source, _applied, _painted, fp in record.draws:
        fingerprints[source].append(fp)
    assigned: dict[str, str] = {}
    for source, info in record.sources.items():
        candidates = [p.name for p in PLOTS if p.probe_kind == info.get("kind")]
        scores = Counter(
            {
                name: sum(
                    1
                    for fp in fingerprints[source]
                    if any(same(fp, r.fingerprint) for r in published.get(name, ()))
                )
                for name in candidates
            }
        )
        if scores and scores.most_common(1)[0][1] > 0:
            assigned[source] = scores.most_common(1)[0][0]
    return assigned


def session_start_s(record: TabRecord, assigned: Mapping[str, str]) -> float | None:
    """Page request to the last of the four plots first painted; None if not all were."""
    painted: dict[str, float] = {}
    for source, first in record.firsts.items():
        plot = assigned.get(source)
        if plot is not None and first:
            painted[plot] = min(painted.get(plot, first["painted_ms"]), first["painted_ms"])
    if len(painted) < len(PLOTS):
        return None
    return (max(painted.values()) - record.request_ms) / 1000.0


@dataclass
class UpdateStats:
    latencies_s: list[float] = field(default_factory=list)
    applied_latencies_s: list[float] = field(default_factory=list)
    rates_hz: list[float] = field(default_factory=list)
    max_gaps_s: list[float] = field(default_factory=list)
    expected: int = 0
    missed: int = 0
    late: int = 0
    draws: int = 0
    unmatched: int = 0
    freezes: int = 0
    per_tab: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "latency_s": summary(self.latencies_s),
            "applied_latency_s": summary(self.applied_latencies_s),
            "rate_hz": {
                "median": statistics.median(self.rates_hz) if self.rates_hz else None,
                "min": min(self.rates_hz) if self.rates_hz else None,
            },
            "max_gap_s": max(self.max_gaps_s) if self.max_gaps_s else None,
            "expected": self.expected,
            "missed": self.missed,
            "late": self.late,
            "draws": self.draws,
            "unmatched": self.unmatched,
            "freezes": self.freezes,
            "per_tab": self.per_tab,
        }


def update_stats(
    records: Sequence[TabRecord],
    published: Mapping[str, Sequence[Published]],
    *,
    window_ms: tuple[float, float],
) -> UpdateStats:
    """Latency, rate, missed, late and gaps of every tab's updates inside the window."""
    start, end = window_ms
    stats = UpdateStats()
    for record in records:
        assigned = assign_sources(record, published)
        tab = {
            "tab": record.tab,
            "worker": record.worker,
            "sources": len(record.sources),
            "rate_hz": {},
            "max_gap_s": {},
        }
        stats.per_tab.append(tab)
        by_plot: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        for source, applied, painted, fp in record.draws:
            plot = assigned.get(source)
            if plot is None:
                stats.unmatched += 1
            elif start <= applied <= end:
                by_plot[plot].append((applied, painted, fp))
        for plot in PLOTS:
            results = list(published.get(plot.name, ()))
            draws = sorted(by_plot.get(plot.name, []))
            drawn: set[int] = set()
            for applied, painted, fp in draws:
                result = match(fp, [r for r in results if r.publish_ms <= applied + 50.0])
                if result is None:
                    stats.unmatched += 1
                    continue
                drawn.add(result.index)
                latency = (painted - result.publish_ms) / 1000.0
                stats.latencies_s.append(latency)
                stats.applied_latencies_s.append((applied - result.publish_ms) / 1000.0)
                stats.late += latency > LATE_S
                stats.draws += 1
            expected = {
                r.index for r in results if start <= r.publish_ms <= end - END_GRACE_S * 1000
            }
            stats.expected += len(expected)
            stats.missed += len(expected - drawn)
            rate = len(draws) / ((end - start) / 1000.0)
            stats.rates_hz.append(rate)
            times = [start, *(painted for _a, painted, _f in draws), end]
            gap = max(b - a for a, b in itertools.pairwise(times)) / 1000.0
            stats.max_gaps_s.append(gap)
            tab["rate_hz"][plot.name] = round(rate, 3)
            tab["max_gap_s"][plot.name] = round(gap, 2)
            stats.freezes += gap > FREEZE_GAP_S
    return stats
