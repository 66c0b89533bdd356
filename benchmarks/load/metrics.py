"""Process measurements with psutil: memory, CPU time and broker connections.

- **RSS** of the worker processes, summed;
- **CPU seconds** (user + system, including all threads, librdkafka's too) of a set of
  processes between two snapshots: :class:`CpuWindow`;
- **CPU per OS thread kind** (librdkafka names its threads ``rdk:main``,
  ``rdk:broker<n>``; Python threads carry the process name): :func:`thread_cpu`;
- **broker connections**: ESTABLISHED TCP connections from the worker processes to the
  broker's port (every session has its own consumer and producer, and librdkafka keeps
  a connection per broker and client, plus a bootstrap connection).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

MIB = 1024 * 1024


def _processes(pids: Iterable[int]) -> list[psutil.Process]:
    found = []
    for pid in pids:
        try:
            found.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    return found


def rss_bytes(pids: Iterable[int]) -> int:
    total = 0
    for process in _processes(pids):
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def cpu_seconds(pids: Iterable[int]) -> float:
    total = 0.0
    for process in _processes(pids):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def broker_connections(pids: Iterable[int], broker_port: int) -> int:
    count = 0
    for process in _processes(pids):
        try:
            connections = process.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        count += sum(
            1
            for c in connections
            if c.status == psutil.CONN_ESTABLISHED and c.raddr and c.raddr.port == broker_port
        )
    return count


def descendants(pid: int, *, name_contains: str = "") -> list[int]:
    """Every descendant of ``pid`` whose process name contains ``name_contains``."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    pids = []
    for child in children:
        try:
            if name_contains in child.name():
                pids.append(child.pid)
        except psutil.NoSuchProcess:
            continue
    return pids


@dataclass
class CpuWindow:
    """CPU seconds used by a fixed set of processes between :meth:`start` and :meth:`stop`."""

    pids: list[int]
    started_cpu: float = 0.0
    started_at: float = 0.0
    seconds: float = 0.0
    wall_s: float = 0.0

    def start(self) -> CpuWindow:
        self.started_cpu = cpu_seconds(self.pids)
        self.started_at = time.monotonic()
        return self

    def stop(self) -> CpuWindow:
        self.seconds = cpu_seconds(self.pids) - self.started_cpu
        self.wall_s = time.monotonic() - self.started_at
        return self

    @property
    def percent_of_core(self) -> float:
        return 100.0 * self.seconds / self.wall_s if self.wall_s > 0 else 0.0


def _thread_kind(pid: int, tid: int) -> str:
    """The OS thread's name without its number: ``rdk:broker3`` -> ``rdk:broker``."""
    try:
        comm = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
    except OSError:
        return "?"
    return comm.rstrip("0123456789/") or comm


def thread_cpu(pids: Iterable[int]) -> dict[tuple[int, int], tuple[str, float]]:
    """(pid, tid) -> (thread kind, CPU seconds) of every OS thread of ``pids``."""
    found: dict[tuple[int, int], tuple[str, float]] = {}
    for process in _processes(pids):
        try:
            threads = process.threads()
        except psutil.NoSuchProcess:
            continue
        for thread in threads:
            kind = _thread_kind(process.pid, thread.id)
            found[(process.pid, thread.id)] = (kind, thread.user_time + thread.system_time)
    return found


def thread_cpu_delta(
    before: dict[tuple[int, int], tuple[str, float]],
    after: dict[tuple[int, int], tuple[str, float]],
    wall_s: float,
) -> dict[str, float]:
    """Percent of a core used per thread kind between two :func:`thread_cpu` snapshots."""
    used: dict[str, float] = {}
    for key, (kind, seconds) in after.items():
        spent = seconds - before.get(key, (kind, 0.0))[1]
        used[kind] = used.get(kind, 0.0) + spent
    return {
        kind: round(100.0 * s / wall_s, 2)
        for kind, s in sorted(used.items(), key=lambda item: -item[1])
        if wall_s > 0
    }
