"""A worker killed under load costs only its own tabs, and is back within seconds.

N tabs (short 4, long 10) are spread evenly over the demo's two workers, each showing a
plot that the running workflow updates once a second. Worker 1 is SIGKILLed. Then:

- the tabs on worker 0 see no gap longer than 2 s in their plot updates (stamped in
  the page when the worker's message arrives), over a window from just before the kill
  until 3 s after worker 1 is healthy again, and stay Live;
- their sessions' heartbeats (every 2 s) go on: no heartbeat more than 2 s late;
- worker 1 answers ``/health`` (a new process) within 5 s of the kill. On the shared
  test machine other processes hold the CPU at times, so the time the new worker spent
  waiting for a CPU (its run-queue wait, /proc/<pid>/schedstat) is not counted; on an
  idle machine that wait is close to 0 and the check is the plain 5 s. Both are reported;
- worker 1's tabs show "Disconnected"; reloading one lands on a live worker (nginx sends
  the reload of a dead worker's page back to the entry point) and is Live again.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from playwright.sync_api import Browser

from tests.deploy.deployment import DemoRun
from tests.helpers import wait_until

from .demo import INSTRUMENT, kafka_settings, wait_no_sessions
from .heartbeats import HeartbeatLog, longest_gap
from .report import report
from .scale import sizes
from .tabs import Tab, open_tabs

pytestmark = pytest.mark.integration

VICTIM = 1
SURVIVOR = 0
MAX_UPDATE_GAP_S = 2.0
HEARTBEAT_INTERVAL_S = 2.0  # session/heartbeat.py
BACK_WITHIN_S = 5.0
AFTER_BACK_S = 3.0


def cpu_and_runqueue_s(pid: int) -> tuple[float, float]:
    """Seconds the main thread of ``pid`` ran, and waited to run, so far (schedstat)."""
    with open(f"/proc/{pid}/schedstat", encoding="ascii") as stats:
        ran_ns, waited_ns, _slices = (int(field) for field in stats.read().split())
    return ran_ns / 1e9, waited_ns / 1e9


def wait_updating(tab: Tab, since: float, count: int = 3) -> None:
    wait_until(
        lambda: len([t for t in tab.data_updates() if t >= since]) >= count,
        60,
        0.2,
        message=f"tab on worker {tab.worker} shows no plot updates",
    )


@pytest.mark.parametrize("tab_count", sizes(4, 10))
def test_a_killed_worker_costs_only_its_own_tabs(
    tab_count: int, quiet_demo: DemoRun, browser: Browser
) -> None:
    demo = quiet_demo
    heartbeats = HeartbeatLog(kafka_settings(demo), INSTRUMENT)
    context = browser.new_context()
    try:
        tabs = open_tabs(context, [f"{demo.url}/w/{i % 2}/" for i in range(tab_count)])
        survivors = [t for t in tabs if t.worker == SURVIVOR]
        orphans = [t for t in tabs if t.worker == VICTIM]
        assert len(survivors) == len(orphans) == tab_count // 2
        recording_since = time.time()
        for tab in tabs:
            tab.record_updates()
        for tab in tabs:
            wait_updating(tab, recording_since)
        survivor_id = demo.health(SURVIVOR).document["worker_id"]
        survivor_sessions = heartbeats.wait_for(
            lambda log: len(ids := log.sessions_of(survivor_id)) == len(survivors) and ids,
            30,
            "the survivor's sessions do not heartbeat",
        )
        victim_pid = int(demo.health(VICTIM).document["pid"])
        window_start = time.time()
        wait_until(lambda: time.time() - window_start >= 1.0, 5, 0.05)  # 1 s before the kill
        killed_at = time.time()
        os.kill(victim_pid, signal.SIGKILL)

        def back() -> bool:
            health = demo.health(VICTIM)
            return health.healthy and int(health.document["pid"]) != victim_pid

        wait_until(back, 120, 0.05, message="the killed worker never came back")
        back_s = time.time() - killed_at
        new_pid = int(demo.health(VICTIM).document["pid"])
        cpu_s, waited_s = cpu_and_runqueue_s(new_pid)
        wait_until(lambda: time.time() - killed_at >= back_s + AFTER_BACK_S, 10, 0.05)
        window_end = time.time()

        update_gaps = [
            round(longest_gap(t.data_updates(), window_start, window_end), 2) for t in survivors
        ]
        heartbeat_gaps = [
            round(
                longest_gap(
                    heartbeats.beats_between(s, window_start - 3, window_end + 3),
                    window_start,
                    window_end,
                ),
                2,
            )
            for s in survivor_sessions  # type: ignore[union-attr]
        ]
        for tab in orphans:
            tab.page.wait_for_selector(".livedash-connection--lost", timeout=30_000)
        reload_s = orphans[0].reload()
        landed = orphans[0].worker
        report(
            "worker_crash",
            tabs=tab_count,
            healthy_again_s=round(back_s, 2),
            new_worker_cpu_s=round(cpu_s, 2),
            new_worker_runqueue_wait_s=round(waited_s, 2),
            survivor_max_update_gap_s=update_gaps,
            survivor_max_heartbeat_gap_s=heartbeat_gaps,
            window_s=round(window_end - window_start, 1),
            reload_live_s=round(reload_s, 1),
            reload_landed_on=landed,
        )
        assert all(gap <= MAX_UPDATE_GAP_S for gap in update_gaps), update_gaps
        assert all(gap <= HEARTBEAT_INTERVAL_S + MAX_UPDATE_GAP_S for gap in heartbeat_gaps)
        assert all(t.live for t in survivors)
        assert demo.health(landed).healthy
        assert orphans[0].live
        assert back_s - waited_s <= BACK_WITHIN_S, (
            f"worker {VICTIM} answered /health after {back_s:.1f} s, "
            f"of which {waited_s:.1f} s waiting for a CPU"
        )
    finally:
        context.close()
        heartbeats.close()
    wait_no_sessions(demo)
