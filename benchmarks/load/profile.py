"""Where the workers' CPU goes: py-spy samples of every worker under load, summarised.

Runs ``py-spy record --gil --threads --format raw`` (collapsed stacks of the thread that
holds the GIL: Python CPU time; py-spy's idle detection counted threads blocked in
librdkafka's poll as busy, so ``--gil`` is the honest measure) on each worker for a few
seconds *after* the measurement window, so the sampler's own CPU does not disturb the
measured numbers. The summary gives, as a share of all samples:

- per thread kind (``MainThread`` is the IOLoop: Bokeh, Panel, the session updaters;
  ``session-pump-*`` are the sessions' Kafka pumps, which also compute plot states);
- the functions where the samples were (self time), top 20;
- livedash / Bokeh / Panel / tornado functions on the stack (inclusive time), top 30.

py-spy is optional (``pip install py-spy``); without it the profile is skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import structlog

logger = structlog.get_logger(__name__)

RATE_HZ = 50
_THREAD = re.compile(r"^thread \(\d+\): (?P<name>[^;]*)$")
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^:()]+)(?::\d+)?\)$")
_INTERESTING = ("livedash", "bokeh", "panel", "tornado", "param", "scipp", "confluent")


def py_spy() -> str | None:
    found = shutil.which("py-spy")
    if found is None:
        candidate = Path(sys.executable).with_name("py-spy")
        found = str(candidate) if candidate.exists() else None
    return found


def _frame_name(frame: str) -> str:
    """``func (path/to/module.py:12)`` -> ``module/path tail:func`` without the line."""
    matched = _FRAME.match(frame)
    if not matched:
        return frame
    path = matched["file"]
    for marker in ("site-packages/", "/src/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{matched['func']}"


def _thread_kind(name: str) -> str:
    return re.sub(r"[-_][0-9a-f]{6,}.*$|_\d+$|-\d+$", "-*", name) or name


def summarise(raw: str) -> dict[str, Any]:
    """Summary of collapsed stacks (one ``frames count`` line each)."""
    threads: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        thread = _THREAD.match(frames[0])
        if thread:
            threads[_thread_kind(thread["name"])] += count
            frames = frames[1:]
        if not frames:
            continue
        total += count
        names = [_frame_name(f) for f in frames]
        self_time[names[-1]] += count
        for name in set(names):
            if any(key in name for key in _INTERESTING):
                inclusive[name] += count

    def share(counter: Counter[str], top: int) -> list[tuple[str, float]]:
        return [(k, round(100.0 * v / total, 1)) for k, v in counter.most_common(top)]

    return {
        "samples": total,
        "threads_pct": share(threads, 12),
        "self_pct": share(self_time, 20),
        "inclusive_pct": share(inclusive, 30),
    }


def _record_argv(binary: str, pid: int, seconds: float, output: Path) -> list[str]:
    return [
        binary, "record", "--threads", "--format", "raw", "--nonblocking", "--gil",
        "-r", str(RATE_HZ), "-d", str(int(seconds)), "-p", str(pid), "-o", str(output),
    ]  # fmt: skip


def profile_workers(
    pids: list[int], seconds: float, *, save_to: Path | None = None
) -> dict[str, Any] | None:
    """Sample every worker for ``seconds`` at once; the summary of all samples.

    ``save_to`` keeps the collapsed stacks (for flamegraph.pl or speedscope).
    """
    binary = py_spy()
    if binary is None:
        logger.warning("load_profile_skipped", reason="py-spy is not installed")
        return None
    with tempfile.TemporaryDirectory(prefix="livedash-load-profile-") as tmp:
        outputs = [Path(tmp) / f"{pid}.txt" for pid in pids]
        processes = [
            subprocess.Popen(  # noqa: S603 - our own argument list
                _record_argv(binary, pid, seconds, output),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for pid, output in zip(pids, outputs, strict=True)
        ]
        for process in processes:
            try:
                process.wait(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        raw = "\n".join(o.read_text(errors="replace") for o in outputs if o.exists())
    if save_to is not None and raw:
        save_to.parent.mkdir(parents=True, exist_ok=True)
        save_to.write_text(raw, encoding="utf-8")
    if not raw:
        logger.warning("load_profile_empty", pids=pids)
        return None
    summary = summarise(raw)
    summary["seconds"] = seconds
    summary["rate_hz"] = RATE_HZ
    # With --gil: the share of time some thread held the GIL, summed over the workers.
    summary["gil_held_avg"] = round(summary["samples"] / (RATE_HZ * seconds), 2)
    return summary
