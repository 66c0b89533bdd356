"""One measurement point: N tabs (browser or Bokeh client) on one deployment.

Phases, in order:

1. **warm-up**: one tab per worker opened, drawn and closed, so one-time costs (lazy
   imports, first Bokeh document) do not count as per-session cost;
2. **baseline** with no session (20 s after the warm-up's sessions closed): worker
   RSS, broker connections, idle worker CPU;
3. **start**: all N tabs requested, wait until each drew all four plots;
4. **settle** for ``warmup_s``, then the **window** of ``duration_s``: worker CPU time,
   Chromium CPU time (browser mode), other programs' CPU, RSS every 2 s, broker
   connections, and every update the tabs drew;
5. optionally **profile**: py-spy on every worker while the tabs keep running;
6. **teardown**: tabs closed one at a time (close to the session's ``stopped``
   heartbeat, and to ``/health`` counting one session less), the rest at once.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import structlog

from . import metrics
from .analysis import (
    TabRecord,
    assign_sources,
    patch_rate_hz,
    session_start_s,
    start_phases,
    summary,
    update_stats,
)
from .demo import Deployment
from .profile import profile_workers
from .scenario import PLOTS
from .tap import Tap

logger = structlog.get_logger(__name__)

TEARDOWN_TABS = 5
TEARDOWN_TIMEOUT_S = 20.0
RSS_SAMPLE_S = 2.0
BASELINE_SETTLE_S = 20.0


class Driver(Protocol):
    """What the runner needs of a set of tabs (browser or Bokeh client)."""

    records: list[TabRecord]

    def open(self, count: int, *, timeout_s: float) -> None: ...
    def wait_started(self, *, timeout_s: float) -> int: ...
    def run_for(self, seconds: float) -> None: ...
    def refresh(self) -> None: ...
    def close_tab(self, index: int) -> float: ...
    def close_all(self) -> float: ...
    @property
    def open_tabs(self) -> list[int]: ...
    def shutdown(self) -> None: ...


@dataclass(frozen=True)
class PointOptions:
    mode: str
    tabs: int
    duration_s: float
    warmup_s: float = 5.0
    profile_s: float = 0.0
    profile_start: bool = False
    profile_dir: Path | None = None

    def profile_file(self, phase: str) -> Path | None:
        if self.profile_dir is None:
            return None
        return self.profile_dir / f"{self.mode}-n{self.tabs}-{phase}.collapsed"

    @property
    def start_timeout_s(self) -> float:
        return 60.0 + 4.0 * self.tabs


def _now_ms() -> float:
    return time.time() * 1000.0


def _chromium_pids() -> list[int]:
    return metrics.descendants(os.getpid(), name_contains="chrom")


def warm_up(deployment: Deployment, make_driver: Callable[[], Driver]) -> None:
    """Open one tab per worker, wait for its plots, close it, wait for zero sessions."""
    driver = make_driver()
    try:
        driver.open(deployment.settings.workers, timeout_s=120.0)
        driver.wait_started(timeout_s=120.0)
        driver.run_for(2.0)
        driver.close_all()
    finally:
        driver.shutdown()
    if not deployment.wait_sessions(0, timeout_s=90.0):
        logger.warning("load_warmup_sessions_left", sessions=deployment.sessions())


def _teardown(driver: Driver, deployment: Deployment, tap: Tap) -> dict[str, Any]:
    heartbeat_s: list[float] = []
    health_s: list[float] = []
    missing = 0
    for index in driver.open_tabs[:TEARDOWN_TABS]:
        stopped_before = set(tap.stopped_at())
        sessions_before = sum(deployment.sessions())
        closed_ms = driver.close_tab(index)
        health_ms = heartbeat_ms = None
        deadline = time.monotonic() + TEARDOWN_TIMEOUT_S
        while (health_ms is None or heartbeat_ms is None) and time.monotonic() < deadline:
            driver.run_for(0.05)
            if health_ms is None and sum(deployment.sessions()) < sessions_before:
                health_ms = _now_ms()
            new = {s: t for s, t in tap.stopped_at().items() if s not in stopped_before}
            if heartbeat_ms is None and new:
                heartbeat_ms = min(new.values())
        if heartbeat_ms is None:
            missing += 1
        else:
            heartbeat_s.append((heartbeat_ms - closed_ms) / 1000.0)
        if health_ms is not None:
            health_s.append((health_ms - closed_ms) / 1000.0)
    rest = len(driver.open_tabs)
    closed_ms = driver.close_all()
    all_gone = deployment.wait_sessions(0, timeout_s=60.0 + rest)
    return {
        "to_stopped_heartbeat_s": summary(heartbeat_s),
        "to_health_drop_s": summary(health_s),
        "no_stopped_heartbeat": missing,
        "rest_closed": rest,
        "rest_all_gone_s": (_now_ms() - closed_ms) / 1000.0 if all_gone else None,
    }


class _BackgroundProfile:
    """py-spy on the workers in a thread, while the caller keeps the tabs running."""

    def __init__(self, workers: list[int], seconds: float, save_to: Path | None) -> None:
        self._result: dict[str, Any] = {}
        self._thread = threading.Thread(
            target=lambda: self._result.update(
                profile_workers(workers, seconds, save_to=save_to) or {}
            ),
            name="load-profile",
            daemon=True,
        )
        self._thread.start()

    def result(self, driver: Driver) -> dict[str, Any] | None:
        while self._thread.is_alive():
            driver.run_for(0.5)
        return self._result or None


@dataclass
class _Baseline:
    rss: int
    connections: int
    idle: metrics.CpuWindow


def _baseline(deployment: Deployment, workers: list[int]) -> _Baseline:
    if not deployment.wait_sessions(0, timeout_s=90.0):
        raise RuntimeError(f"sessions left from before: {deployment.sessions()}")
    # Closed sessions keep a worker busy for several seconds (Bokeh expiring them,
    # garbage collection): measured 4 % of a core in the first 10 s, 0.2 % after 20 s.
    time.sleep(BASELINE_SETTLE_S)
    rss = metrics.rss_bytes(workers)
    connections = metrics.broker_connections(workers, deployment.broker_port)
    idle = metrics.CpuWindow(workers).start()
    time.sleep(5.0)
    return _Baseline(rss=rss, connections=connections, idle=idle.stop())


@dataclass
class _Window:
    """What the measurement window recorded."""

    start_ms: float
    harness: metrics.CpuWindow
    workers: metrics.CpuWindow
    others: metrics.CpuWindow
    browser: metrics.CpuWindow
    rss: list[int] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)
    sessions: list[list[int]] = field(default_factory=list)
    by_thread: dict[str, float] = field(default_factory=dict)
    end_ms: float = 0.0


def _window(
    driver: Driver, deployment: Deployment, workers: list[int], others: list[int], seconds: float
) -> _Window:
    window = _Window(
        start_ms=_now_ms(),
        harness=metrics.CpuWindow([os.getpid()]).start(),
        workers=metrics.CpuWindow(workers).start(),
        others=metrics.CpuWindow(others).start(),
        browser=metrics.CpuWindow(_chromium_pids()).start(),
    )
    threads_before = metrics.thread_cpu(workers)
    remaining = seconds
    while remaining > 0:
        step = min(RSS_SAMPLE_S, remaining)
        driver.run_for(step)
        remaining -= step
        window.rss.append(metrics.rss_bytes(workers))
        if len(window.connections) < 3:
            window.connections.append(metrics.broker_connections(workers, deployment.broker_port))
            window.sessions.append(deployment.sessions())
    for cpu in (window.harness, window.workers, window.others, window.browser):
        cpu.stop()
    window.by_thread = metrics.thread_cpu_delta(
        threads_before, metrics.thread_cpu(workers), window.workers.wall_s
    )
    window.end_ms = _now_ms()
    return window


def run_point(
    deployment: Deployment, tap: Tap, make_driver: Callable[[], Driver], options: PointOptions
) -> dict[str, Any]:
    """Measure one point (see the module docstring); a JSON-able dict."""
    workers = deployment.worker_pids()
    others = {n: pid for n, pid in deployment.program_pids().items() if not n.startswith("worker")}
    base = _baseline(deployment, workers)
    driver = make_driver()
    try:
        logger.info("load_point_opening", mode=options.mode, tabs=options.tabs)
        start_profile = (
            _BackgroundProfile(workers, options.profile_s, options.profile_file("start"))
            if options.profile_start and options.profile_s
            else None
        )
        driver.open(options.tabs, timeout_s=options.start_timeout_s)
        started = driver.wait_started(timeout_s=options.start_timeout_s)
        profile_of_start = start_profile.result(driver) if start_profile else None
        driver.run_for(options.warmup_s)
        window = _window(driver, deployment, workers, list(others.values()), options.duration_s)
        driver.refresh()
        records = list(driver.records)
        profile = (
            _BackgroundProfile(workers, options.profile_s, options.profile_file("window")).result(
                driver
            )
            if options.profile_s
            else None
        )
        teardown = _teardown(driver, deployment, tap)
    finally:
        driver.shutdown()
    return _result(options, tap, records, base, window) | {
        "workers": len(workers),
        "started": started,
        "others": sorted(others),
        "teardown": teardown,
        "profile": profile,
        "profile_start": profile_of_start,
    }


def _result(
    options: PointOptions,
    tap: Tap,
    records: list[TabRecord],
    base: _Baseline,
    window: _Window,
) -> dict[str, Any]:
    n = options.tabs
    published = {p.name: tap.published(p.name) for p in PLOTS}
    in_window = {
        name: [r for r in results if window.start_ms <= r.publish_ms <= window.end_ms]
        for name, results in published.items()
    }
    starts = [s for r in records if (s := session_start_s(r, assign_sources(r, published)))]
    updates = update_stats(records, published, window_ms=(window.start_ms, window.end_ms))
    rss = statistics.fmean(window.rss) if window.rss else float(base.rss)
    connections = statistics.fmean(window.connections) if window.connections else 0.0
    busy, idle = window.workers.percent_of_core, base.idle.percent_of_core
    return {
        "mode": options.mode,
        "tabs": n,
        "duration_s": round(window.workers.wall_s, 2),
        "sessions_per_worker": window.sessions[-1] if window.sessions else [],
        "tab_errors": [r.error for r in records if r.error],
        # Connections the server closed while the tab was open (none is expected).
        "sessions_lost": [
            {"tab": r.tab, "worker": r.worker, "after_request_s": (r.lost_ms - r.request_ms) / 1000}
            for r in records
            if r.lost_ms
        ],
        "session_start_s": summary(starts),
        "session_start_phases": start_phases(records),
        "updates": updates.as_json(),
        "patch_messages_hz": patch_rate_hz(records, (window.start_ms, window.end_ms)),
        "rss": {
            "baseline_mib": base.rss / metrics.MIB,
            "loaded_mib": rss / metrics.MIB,
            "per_session_mib": (rss - base.rss) / metrics.MIB / n,
        },
        "cpu": {
            "workers_idle_pct_core": idle,
            "workers_pct_core": busy,
            "per_session_pct_core": busy / n,
            "per_session_marginal_pct_core": (busy - idle) / n,
            "browser_pct_core": window.browser.percent_of_core,
            "others_pct_core": window.others.percent_of_core,
            # This benchmark's own process (the Bokeh clients, in bokeh-client mode).
            "harness_pct_core": window.harness.percent_of_core,
            "workers_by_thread_pct_core": window.by_thread,
            "load_average": list(os.getloadavg()),
        },
        "broker_connections": {
            "baseline": base.connections,
            "loaded": connections,
            "per_session": (connections - base.connections) / n,
        },
        "broker_delivery_s": summary(
            [(r.received_ms - r.publish_ms) / 1000.0 for rs in in_window.values() for r in rs]
        ),
        "published_per_plot": {name: len(rs) for name, rs in in_window.items()},
    }
