"""What a worker process holds, read from the outside (psutil and /proc).

:func:`measure` samples one process: open file descriptors, OS threads, of those the
ones librdkafka started (it names its threads ``rdk:...``; Python threads keep the
process name), resident memory, and its established TCP connections to the broker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import psutil

LIBRDKAFKA_THREAD_PREFIX = "rdk:"


@dataclass(frozen=True)
class ProcessSample:
    pid: int
    fds: int
    threads: int
    kafka_threads: int
    rss_bytes: int
    broker_connections: int

    @property
    def other_threads(self) -> int:
        return self.threads - self.kafka_threads

    def brief(self) -> dict[str, int]:
        return {
            "fds": self.fds,
            "threads": self.threads,
            "kafka_threads": self.kafka_threads,
            "rss_mib": round(self.rss_bytes / 2**20, 1),
            "broker_connections": self.broker_connections,
        }


def thread_names(pid: int) -> list[str]:
    names = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm", encoding="utf-8") as comm:
                names.append(comm.read().strip())
        except OSError:  # the thread ended meanwhile
            continue
    return names


def broker_connections(pid: int, broker_port: int) -> int:
    """Established TCP connections of ``pid`` to ``broker_port``."""
    return sum(
        1
        for conn in psutil.Process(pid).net_connections(kind="tcp")
        if conn.raddr and conn.raddr.port == broker_port and conn.status == psutil.CONN_ESTABLISHED
    )


def measure(pid: int, broker_port: int) -> ProcessSample:
    process = psutil.Process(pid)
    names = thread_names(pid)
    return ProcessSample(
        pid=pid,
        fds=process.num_fds(),
        threads=process.num_threads(),
        kafka_threads=sum(name.startswith(LIBRDKAFKA_THREAD_PREFIX) for name in names),
        rss_bytes=process.memory_info().rss,
        broker_connections=broker_connections(pid, broker_port),
    )
