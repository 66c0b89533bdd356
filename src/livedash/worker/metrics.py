"""What this worker process costs: resident memory, CPU and threads (via psutil).

``threads`` counts the operating-system threads of the process, which includes the
native threads of librdkafka (several per consumer and producer): a session whose Kafka
clients were not closed shows up here even though Python cannot see those threads.
``python_threads`` is :func:`threading.active_count`.

CPU percent is measured between two :meth:`ProcessMetrics.sample` calls (the worker
heartbeat takes one every 2 s); :meth:`ProcessMetrics.current` reuses the last figure, so
that an often-polled health endpoint does not shrink the measurement window to nothing.

Concurrency: any thread may call either method; one lock guards the CPU bookkeeping.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

import psutil


@dataclass(frozen=True)
class ProcessSample:
    rss_bytes: int
    cpu_percent: float
    threads: int
    python_threads: int

    def as_dict(self) -> dict[str, int | float]:
        return asdict(self)


class ProcessMetrics:
    """Samples of the current process (see the module docstring)."""

    def __init__(self, *, process: psutil.Process | None = None) -> None:
        self._process = process or psutil.Process()
        self._lock = threading.Lock()
        # The first cpu_percent() call only sets the baseline and returns 0.0.
        self._process.cpu_percent(interval=None)
        self._cpu_percent = 0.0

    def sample(self) -> ProcessSample:
        """A fresh sample; CPU percent covers the time since the previous sample."""
        with self._lock:
            self._cpu_percent = self._process.cpu_percent(interval=None)
            return self._read(self._cpu_percent)

    def current(self) -> ProcessSample:
        """Fresh memory and thread counts with the CPU figure of the last :meth:`sample`."""
        with self._lock:
            return self._read(self._cpu_percent)

    def _read(self, cpu_percent: float) -> ProcessSample:
        return ProcessSample(
            rss_bytes=self._process.memory_info().rss,
            cpu_percent=round(cpu_percent, 1),
            threads=self._process.num_threads(),
            python_threads=threading.active_count(),
        )
