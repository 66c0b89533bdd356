"""Acceptance: the per-session dashboard, with real tabs against one real worker.

One broker, one fake backend and one ``livedash serve`` (default timeouts) are shared by
the whole module; every test starts from a worker without sessions and closes its tabs.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.status import ServiceState
from livedash.ui.lifecycle import DEFAULT_REAP_DISCONNECTED_AFTER_S
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import wait_until
from tests.samples import load_vector, samples_dir

from .helpers import (
    GENEROUS_S,
    RENDER_TIMEOUT_S,
    LiveStack,
    badge_text,
    click_start,
    connection_text,
    heartbeats_of,
    measured,
    open_dashboard,
    running_sessions,
    session_heartbeat,
    session_id_of,
    settled,
    short_session_id,
    stopped,
    threads,
    toasts,
    wait_rendered,
    workflow_card,
)

pytestmark = pytest.mark.integration

# Starting a workflow in one tab shows it in the others within this (the number).
PROPAGATION_S = 5.0
# Closing a tab gives the session's stopped heartbeat within this (the number).
CLOSE_TO_STOPPED_S = 10.0
# A killed browser's session: the documented 5 s of closed websocket, plus one updater
# tick (0.5 s), the stack's close (pump join, producer flush) and the heartbeat's trip
# through the broker.
KILLED_REAP_MARGIN_S = 3.0
ACTIVE_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def live(kafka_settings: KafkaSettings, tmp_path_factory: pytest.TempPathFactory):
    stack = LiveStack(kafka_settings, tmp_path_factory.mktemp("sessions"))
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture
def quiet(live: LiveStack) -> LiveStack:
    """The module's stack once no session of an earlier test is left on the worker."""
    live.wait_sessions(0)
    return live


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def steady(measure, timeout_s: float = GENEROUS_S, for_s: float = 1.0) -> int:
    """``measure()`` once it has not changed for ``for_s`` seconds."""
    last = {"value": measure(), "since": time.monotonic()}

    def unchanged() -> bool:
        value = measure()
        if value != last["value"]:
            last.update(value=value, since=time.monotonic())
        return time.monotonic() - last["since"] >= for_s

    wait_until(unchanged, timeout_s, interval_s=0.1, message="the value never held still")
    return last["value"]


def open_tab(live: LiveStack, context: BrowserContext, *, tab: str | None = None):
    """A rendered dashboard tab and the full id of its session."""
    page = open_dashboard(context, live.worker.page_url, tab=tab)
    session_id = session_id_of(live.status, live.worker_id, short_session_id(page), GENEROUS_S)
    return page, session_id


def test_three_tabs_are_three_sessions_each_with_its_own_kafka_clients(
    quiet: LiveStack, context: BrowserContext, request: pytest.FixtureRequest
):
    live = quiet
    baseline = steady(live.broker_connections)
    counts = [baseline]
    sessions = []
    for _ in range(3):
        _page, session_id = open_tab(live, context)
        sessions.append(session_id)
        # A session's consumer and producer each hold at least one broker connection.
        wait_until(
            lambda: live.broker_connections() >= counts[-1] + 2,
            GENEROUS_S,
            message=f"broker connections did not grow by 2 for a new tab: {counts}",
        )
        counts.append(steady(live.broker_connections))

    assert len(set(sessions)) == 3
    assert live.sessions() == 3
    for session_id in sessions:
        [beat, *_] = heartbeats_of(live.status, session_id)
        status = beat.status
        assert status.service_name == "dashboard_session"
        assert status.service_id == f"{live.instrument}:dashboard_session:{session_id}"
        assert status.dashboard["worker_id"] == live.worker_id
    growth = [after - before for before, after in itertools.pairwise(counts)]
    measured(request, "broker_connections_per_tab", growth)
    measured(request, "broker_connections_baseline", baseline)
    assert all(step >= 2 for step in growth), growth


def test_closing_a_tab_stops_its_session_and_frees_its_share(
    quiet: LiveStack, context: BrowserContext, request: pytest.FixtureRequest
):
    live = quiet
    open_tab(live, context)
    open_tab(live, context)
    before_connections = steady(live.broker_connections)
    before_threads = steady(lambda: threads(live.worker))

    tab_b, session_b = open_tab(live, context)
    wait_until(lambda: live.broker_connections() >= before_connections + 2, GENEROUS_S)
    share = steady(live.broker_connections) - before_connections
    measured(request, "broker_connections_of_one_session", share)
    measured(request, "threads_of_one_session", threads(live.worker) - before_threads)

    tab_b.close()
    closed = time.monotonic()
    wait_until(
        lambda: stopped(live.status, session_b),
        CLOSE_TO_STOPPED_S,
        message=f"no stopped heartbeat within {CLOSE_TO_STOPPED_S} s of closing the tab",
    )
    measured(request, "close_to_stopped_s", round(time.monotonic() - closed, 2))
    settled(
        live.broker_connections, before_connections, GENEROUS_S, "broker connections after close"
    )
    settled(lambda: threads(live.worker), before_threads, GENEROUS_S, "worker threads")
    assert live.sessions() == 2


def test_a_killed_browser_is_reaped_within_the_documented_timeout(
    quiet: LiveStack, tmp_path: Path, request: pytest.FixtureRequest
):
    live = quiet
    known = running_sessions(live.status, live.worker_id)
    log = (tmp_path / "chromium.log").open("wb")
    chromium = subprocess.Popen(
        [
            str(CHROMIUM), "--headless", *CHROMIUM_ARGS,
            f"--user-data-dir={tmp_path / 'profile'}", live.worker.page_url,
        ],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        # The page's script ran once the session reports a browser heartbeat.
        beat = live.status.wait_for(
            session_heartbeat(
                live.worker_id,
                state=ServiceState.RUNNING,
                where=lambda m: (
                    m.status.worker_id not in known
                    and m.status.dashboard["browser_heartbeat_age_s"] is not None
                ),
            ),
            RENDER_TIMEOUT_S,
            message="the separate Chromium's page never reported a browser heartbeat",
        )
        session_id = beat.status.worker_id
        assert live.sessions() == 1
        # /usr/bin/chromium is a launcher script that execs the browser itself.
        assert psutil.Process(chromium.pid).name() == "chromium"

        os.kill(chromium.pid, signal.SIGKILL)
        killed = time.monotonic()
        chromium.wait(timeout=10)
        wait_until(lambda: stopped(live.status, session_id), GENEROUS_S, message="never reaped")
        reaped_s = time.monotonic() - killed
        measured(request, "kill_to_stopped_heartbeat_s", round(reaped_s, 2))
        assert reaped_s <= DEFAULT_REAP_DISCONNECTED_AFTER_S + KILLED_REAP_MARGIN_S
        live.wait_sessions(0)
        [closing] = [
            e for e in live.worker.events("session_closing") if e["session_id"] == session_id
        ]
        assert closing["reason"] == "connection_lost"
    finally:
        try:
            os.killpg(chromium.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        chromium.wait(timeout=10)
        log.close()


def test_a_workflow_started_in_one_tab_shows_active_in_the_others_and_toasts_only_there(
    quiet: LiveStack, context: BrowserContext, request: pytest.FixtureRequest
):
    live = quiet
    tabs = [open_dashboard(context, live.worker.page_url, wait=False) for _ in range(3)]
    tab_a, tab_b, tab_c = (wait_rendered(tab) for tab in tabs)
    assert {badge_text(tab, "Total counts") for tab in (tab_a, tab_b, tab_c)} == {"STOPPED"}

    click_start(tab_a, "Total counts")
    clicked = time.monotonic()
    for tab in (tab_b, tab_c, tab_a):
        remaining_ms = max(1.0, PROPAGATION_S - (time.monotonic() - clicked)) * 1000
        badge = workflow_card(tab, "Total counts").locator(".ld-badge")
        expect(badge).to_have_text("ACTIVE", timeout=remaining_ms)
    measured(request, "start_to_active_everywhere_s", round(time.monotonic() - clicked, 2))

    wait_until(
        lambda: any(level == "success" and "Total counts" in text for level, text in toasts(tab_a)),
        ACTIVE_TIMEOUT_S,
        message=f"no success toast in the tab that started: {toasts(tab_a)}",
    )
    # The other tabs are watched at least as long as the propagation window.
    wait_until(lambda: time.monotonic() - clicked >= PROPAGATION_S, PROPAGATION_S + 1)
    assert toasts(tab_b) == []
    assert toasts(tab_c) == []


def garbage(live: LiveStack) -> list[tuple[str, bytes]]:
    """Random bytes and truncated real messages for each topic a session reads."""
    if samples_dir() is None:
        pytest.skip("protocol samples not found")
    rng = random.Random(7)
    samples = {
        "data": ["da00_total_counts_total_counts"],
        "heartbeat": ["x5f2_job_scheduled_panel_0_xy", "x5f2_service_running_monitor_data"],
        "responses": ["ack_job_command_reset_by_workflow_id"],
        "commands": ["cmd_job_command_reset_by_workflow_id", "cmd_workflow_config_total_counts"],
    }
    messages = []
    for kind, names in samples.items():
        topic = live.topic(kind)
        for size in (0, 1, 7, 64, 4096):
            messages.append((topic, rng.randbytes(size)))
        for name in names:
            real, _ = load_vector(name)
            real = real.replace(b"dummy", live.instrument.encode())
            for cut in (1, 4, 8, len(real) // 3, len(real) // 2, len(real) - 1):
                messages.append((topic, real[:cut]))
    return messages


def test_bad_input_on_every_topic_never_takes_down_a_session(
    quiet: LiveStack, context: BrowserContext, kafka_settings: KafkaSettings
):
    live = quiet
    tab, session_id = open_tab(live, context, tab="Workflows")
    click_start(tab, "Beam monitor")
    expect(workflow_card(tab, "Beam monitor").locator(".ld-badge")).to_have_text(
        "ACTIVE", timeout=ACTIVE_TIMEOUT_S * 1000
    )
    messages = garbage(live)
    producer = Producer.create(kafka_settings, client_id="e2e-garbage")
    try:
        for topic, value in messages:
            producer.produce(topic, value)
        assert producer.flush(10.0) == 0
        assert producer.delivered == len(messages)
    finally:
        producer.close()
    heartbeats_before = len(heartbeats_of(live.status, session_id))

    def still_fine_after_three_more_heartbeats() -> bool:
        assert connection_text(tab) == "Live"
        assert badge_text(tab, "Beam monitor") == "ACTIVE"
        assert not stopped(live.status, session_id)
        return len(heartbeats_of(live.status, session_id)) >= heartbeats_before + 3

    wait_until(still_fine_after_three_more_heartbeats, GENEROUS_S, interval_s=0.25)
    # The garbage did reach the session: its pump skipped bad messages of every topic.
    skipped = {
        entry["topic"]
        for entry in live.worker.events("message_skipped")
        if entry.get("session_id") == session_id
    }
    assert skipped == {live.topic(kind) for kind in ("data", "heartbeat", "responses", "commands")}
    assert live.backend.poll() is None, "the fake backend died on the garbage"
    assert live.sessions() == 1
