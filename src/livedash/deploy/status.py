"""``livedash deploy status``: one line per worker, from its /health and from supervisord."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .workers import WorkerHealth

_COLUMNS = ("worker", "port", "status", "process", "pid", "sessions", "uptime", "rss")


def worker_rows(
    health: list[WorkerHealth], processes: Mapping[str, Mapping[str, Any]] | None
) -> list[tuple[str, ...]]:
    """Table rows: ``status`` from /health (``down`` if it does not answer), ``process``
    from supervisord (``?`` when supervisord is not reachable)."""
    rows = []
    for worker in health:
        doc = worker.document
        if processes is None:
            process = "?"
        else:
            process = str(processes.get(f"worker-{worker.index}", {}).get("statename", "absent"))
        if worker.reachable:
            status = str(doc.get("status", "?"))
            pid = str(doc.get("pid", "?"))
            sessions = str(doc.get("sessions", "?"))
            uptime = format_duration(doc.get("uptime_s"))
            rss = format_bytes(doc.get("rss_bytes"))
        else:
            status, pid, sessions, uptime, rss = "down", "-", "-", "-", "-"
        rows.append(
            (str(worker.index), str(worker.port), status, process, pid, sessions, uptime, rss)
        )
    return rows


def format_table(rows: list[tuple[str, ...]]) -> str:
    """Left-aligned columns under a header line."""
    table = [_COLUMNS, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def format_duration(seconds: object) -> str:
    if not isinstance(seconds, int | float):
        return "?"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_bytes(count: object) -> str:
    if not isinstance(count, int | float):
        return "?"
    return f"{count / 2**20:.0f} MiB"
