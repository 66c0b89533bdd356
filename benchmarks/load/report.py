"""The sweep's table and its verdict against the targets of the issue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# "Proof under load and faults", item 1.
TARGETS = {
    "start_p95_s": 1.5,  # at 10 tabs
    "rss_per_session_mib": 15.0,
    "cpu_per_session_pct": 4.0,
    "update_p95_s": 1.5,
    "rate_median_hz": 0.95,
}


def _f(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


COLUMNS = (
    ("mode", lambda p: p["mode"]),
    ("N", lambda p: p["tabs"]),
    ("W", lambda p: p["workers"]),
    ("started", lambda p: f"{p['started']}/{p['tabs']}"),
    ("lost", lambda p: len(p.get("sessions_lost", []))),
    ("start p50", lambda p: _f(p["session_start_s"]["p50"])),
    ("start p95", lambda p: _f(p["session_start_s"]["p95"])),
    ("upd p50", lambda p: _f(p["updates"]["latency_s"]["p50"])),
    ("upd p95", lambda p: _f(p["updates"]["latency_s"]["p95"])),
    ("upd max", lambda p: _f(p["updates"]["latency_s"]["max"])),
    ("rate med", lambda p: _f(p["updates"]["rate_hz"]["median"])),
    ("rate min", lambda p: _f(p["updates"]["rate_hz"]["min"])),
    ("missed", lambda p: f"{p['updates']['missed']}/{p['updates']['expected']}"),
    ("late", lambda p: f"{p['updates']['late']}/{p['updates']['draws']}"),
    ("gap max", lambda p: _f(p["updates"]["max_gap_s"], 1)),
    ("RSS/s MiB", lambda p: _f(p["rss"]["per_session_mib"], 1)),
    ("CPU/s %", lambda p: _f(p["cpu"]["per_session_pct_core"], 1)),
    ("wrk CPU %", lambda p: _f(p["cpu"]["workers_pct_core"], 0)),
    ("brw CPU %", lambda p: _f(p["cpu"]["browser_pct_core"], 0)),
    ("conn/s", lambda p: _f(p["broker_connections"]["per_session"], 1)),
    ("close->hb", lambda p: _f(p["teardown"]["to_stopped_heartbeat_s"]["p50"])),
    ("load", lambda p: _f(p["cpu"]["load_average"][0], 1)),
)


def table(points: Sequence[dict[str, Any]]) -> str:
    """A plain-text table, one line per point."""
    rows = [[name for name, _ in COLUMNS]]
    rows += [[str(get(p)) for _, get in COLUMNS] for p in points]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def meets_update_targets(point: dict[str, Any]) -> bool:
    """All sessions started and none lost, p95 update latency and median rate within
    target, no freeze."""
    updates = point["updates"]
    p95 = updates["latency_s"]["p95"]
    rate = updates["rate_hz"]["median"]
    return (
        point["started"] == point["tabs"]
        and not point.get("sessions_lost")
        and p95 is not None
        and p95 <= TARGETS["update_p95_s"]
        and rate is not None
        and rate >= TARGETS["rate_median_hz"]
        and updates["freezes"] == 0
    )


def capacity(points: Sequence[dict[str, Any]]) -> dict[str, int | None]:
    """Per mode: the largest N that met the update targets (None if none did)."""
    found: dict[str, int | None] = {}
    for point in points:
        mode = point["mode"]
        found.setdefault(mode, None)
        if meets_update_targets(point):
            current = found[mode]
            found[mode] = point["tabs"] if current is None else max(current, point["tabs"])
    return found


def profile_text(point: dict[str, Any], key: str = "profile") -> str:
    """The py-spy summary of one point, as text ('' without a profile)."""
    profile = point.get(key)
    if not profile:
        return ""
    phase = "while starting" if key == "profile_start" else "under load"
    lines = [
        f"profile of the workers {phase}, {point['mode']} N={point['tabs']}: "
        f"{profile['samples']} "
        f"samples (GIL held), GIL busy {profile['gil_held_avg']} of the time (summed "
        "over workers)",
        "  threads: " + ", ".join(f"{name} {pct}%" for name, pct in profile["threads_pct"]),
        "  self time:",
        *(f"    {pct:5.1f}%  {name}" for name, pct in profile["self_pct"][:15]),
        "  inclusive (livedash, bokeh, panel, tornado, ...):",
        *(f"    {pct:5.1f}%  {name}" for name, pct in profile["inclusive_pct"][:30]),
    ]
    return "\n".join(lines)
