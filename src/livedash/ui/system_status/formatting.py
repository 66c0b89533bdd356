"""Pure text formatting for status displays: durations, sizes, ids and service states."""

from __future__ import annotations

import math

from ...protocol.status import ServiceState

MISSING = "-"
_MIB = 1024 * 1024


def format_duration(seconds: float | None) -> str:
    """``42 s``, ``3 min 05 s``, ``2 h 03 min``, ``3 d 04 h``; ``-`` when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return MISSING
    total = int(max(0.0, seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours:02d} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def format_mib(size_bytes: float | None) -> str:
    """A byte count in MiB with one decimal (``123.4 MiB``); ``-`` when unknown."""
    if not _is_number(size_bytes):
        return MISSING
    return f"{size_bytes / _MIB:.1f} MiB"


def format_percent(value: float | None) -> str:
    """``12.5 %``; ``-`` when unknown."""
    if not _is_number(value):
        return MISSING
    return f"{value:.1f} %"


def format_count(value: int | None) -> str:
    """An integer with thousands separators (``12,345``); ``-`` when unknown."""
    if not _is_number(value):
        return MISSING
    return f"{int(value):,}"


def short_id(value: str | None, length: int = 8) -> str:
    """The first ``length`` characters of an id (enough to tell uuids apart on screen)."""
    return MISSING if not value else value[:length]


def state_label(state: ServiceState, *, stale: bool) -> str:
    """What a status table shows: ``RUNNING``, ``STALE``, ``STOPPED``, ``ERROR`` ..."""
    return "STALE" if stale else state.value.upper()


def state_css(state: ServiceState, *, stale: bool) -> str:
    """The CSS class of a state: running green, error and stale red, the rest muted."""
    if stale:
        return "ld-state-stale"
    return {
        ServiceState.RUNNING: "ld-state-running",
        ServiceState.ERROR: "ld-state-error",
    }.get(state, "ld-state-muted")


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
