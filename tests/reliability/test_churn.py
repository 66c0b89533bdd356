"""Tab churn: open and close many tabs over two workers behind nginx; nothing leaks.

The demo runs two workers, the embedded broker and the fake backend with a workflow
running, so every tab shows a plot that updates once a second. Tabs are opened through
nginx's entry point (round robin over the workers) in waves of ``WAVE``, each tab is
waited for until it is Live, then the wave is closed. 30 tabs (long: 200).

Baseline: measured after ``WARMUP_WAVES`` warm-up waves (20 tabs). The first sessions
import and cache what every later session uses, and the heap grows to its working size:
measured over 200 tabs, a worker's RSS with a wave open rose from about 150 to 170 MiB
over the first three waves and then stayed between 157 and 181 MiB for the other 37;
with a baseline after one wave, the closed worker sat 12 % above it with nothing left
behind. Afterwards, on every worker:

- ``/health`` reports 0 sessions, and the same pid (no worker restarted);
- librdkafka threads exactly as at the baseline (every session's consumer and producer
  run 3 or more of their own: a leaked client shows at once);
- OS threads at most the baseline plus the session executor's idle threads that can
  still be started (up to ``SESSION_EXECUTOR_THREADS``, kept for reuse, not leaked);
- file descriptors at most ``FD_SLACK`` above the baseline: a leaked session holds at
  least its two broker sockets, its websocket and librdkafka's wake-up pipes; the
  slack covers the /health requests of this test and nginx connections being closed;
- established connections to the broker exactly as at the baseline;
- resident memory within 10 % of the baseline;
- no growth from wave to wave: the mean RSS with a wave open over the second half of
  the churn is within 10 % of that over the first half (a leak of even 0.1 MiB per
  session shows there over 200 tabs).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, BrowserContext

from livedash.worker.serve import SESSION_EXECUTOR_THREADS
from tests.deploy.deployment import DemoRun
from tests.helpers import wait_until

from .demo import wait_no_sessions
from .probes import ProcessSample, measure
from .report import report
from .scale import sizes
from .tabs import open_tabs

pytestmark = pytest.mark.integration

WAVE = 5
FD_SLACK = 3
RSS_GROWTH = 0.10
WARMUP_WAVES = 4


def churn(context: BrowserContext, demo: DemoRun, count: int) -> list[dict[str, object]]:
    """Open ``count`` tabs at the entry point in waves; per wave, what it cost and each
    worker's RSS (MiB) once the wave was open."""
    waves = []
    for start in range(0, count, WAVE):
        started = time.monotonic()
        tabs = open_tabs(context, [f"{demo.url}/"] * min(WAVE, count - start))
        live_s = time.monotonic() - started
        spread = [sum(t.worker == i for t in tabs) for i in range(2)]
        rss = [round(s.rss_bytes / 2**20) for s in samples(demo)]
        for tab in tabs:
            tab.close()
        waves.append({"live_s": round(live_s, 1), "spread": spread, "rss_mib": rss})
    return waves


def wave_growth(waves: list[dict[str, object]]) -> list[str]:
    """Workers whose mean RSS with a wave open grew more than ``RSS_GROWTH`` from the
    first half of the churn to the second (empty: none)."""
    half = len(waves) // 2
    grown = []
    for worker in range(2):
        rss = [float(w["rss_mib"][worker]) for w in waves]  # type: ignore[index]
        first, second = sum(rss[:half]) / half, sum(rss[half:]) / (len(rss) - half)
        if second > first * (1 + RSS_GROWTH):
            grown.append(f"worker {worker}: {first:.1f} -> {second:.1f} MiB")
    return grown


def samples(demo: DemoRun) -> list[ProcessSample]:
    """Every worker process, found through supervisord (a busy worker may not answer)."""
    programs = demo.supervisor().processes()
    return [measure(int(programs[f"worker-{i}"]["pid"]), demo.kafka_port) for i in range(2)]


def leaks(baseline: list[ProcessSample], now: list[ProcessSample]) -> list[str]:
    """What differs beyond the tolerances of the module docstring (empty: nothing)."""
    found = []
    for index, (before, after) in enumerate(zip(baseline, now, strict=True)):
        checks = {
            "pid": after.pid == before.pid,
            "kafka_threads": after.kafka_threads == before.kafka_threads,
            "threads": after.threads <= before.threads + SESSION_EXECUTOR_THREADS,
            "fds": after.fds <= before.fds + FD_SLACK,
            "broker_connections": after.broker_connections == before.broker_connections,
            "rss": after.rss_bytes <= before.rss_bytes * (1 + RSS_GROWTH),
        }
        found += [
            f"worker {index} {name}: {before.brief()} -> {after.brief()}"
            for name, ok in checks.items()
            if not ok
        ]
    return found


@pytest.mark.timeout(1800)  # the long version: 200 tabs in waves of 5 take about 10 min
@pytest.mark.parametrize("tab_count", sizes(30, 200))
def test_opening_and_closing_tabs_leaks_no_session_thread_socket_or_memory(
    tab_count: int, quiet_demo: DemoRun, browser: Browser
) -> None:
    demo = quiet_demo
    context = browser.new_context()
    try:
        churn(context, demo, WAVE * WARMUP_WAVES)
        wait_no_sessions(demo)
        baseline = samples(demo)
        started = time.monotonic()
        waves = churn(context, demo, tab_count)
        churn_s = time.monotonic() - started
        drain_s = wait_no_sessions(demo)
        last: list[list[str]] = []

        def back_to_baseline() -> bool:
            last.append(leaks(baseline, samples(demo)))
            return not last[-1]

        try:
            wait_until(back_to_baseline, 60, 0.5)
        except AssertionError:
            # The waves' RSS says whether memory grew with every wave or levelled off.
            report("churn.failed", tabs=tab_count, rss_mib_with_each_wave_open=[
                w["rss_mib"] for w in waves
            ], baseline=[s.brief() for s in baseline])  # fmt: skip
            raise AssertionError(
                "still differs from the baseline: " + "; ".join(last[-1])
            ) from None
        after = samples(demo)
        report(
            "churn",
            tabs=tab_count,
            wave=WAVE,
            churn_s=round(churn_s, 1),
            last_close_to_no_sessions_s=round(drain_s, 1),
            slowest_wave_live_s=max(w["live_s"] for w in waves),  # type: ignore[type-var]
            tabs_per_worker=[sum(w["spread"][i] for w in waves) for i in range(2)],  # type: ignore[index]
            rss_mib_with_each_wave_open=[w["rss_mib"] for w in waves],
            baseline=[s.brief() for s in baseline],
            after=[s.brief() for s in after],
            rss_growth_pct=[
                round(100 * (a.rss_bytes / b.rss_bytes - 1), 1)
                for b, a in zip(baseline, after, strict=True)
            ],
        )
        # Both workers had their share of the churn (nginx's round robin).
        assert all(sum(w["spread"][i] for w in waves) > 0 for i in range(2))  # type: ignore[index]
        assert not wave_growth(waves), wave_growth(waves)
    finally:
        context.close()
