"""``livedash serve`` as a real process (against the embedded broker, except the first)."""

from __future__ import annotations

import signal
import socket

import pytest

from livedash.protocol.status import ServiceState
from tests.helpers import wait_until

from .process import ServedWorker, StatusWatcher, of_service

# A page request without a websocket leaves a session that Bokeh discards after the
# connect timeout, shortened here from 30 s to keep the tests quick.
CONNECT_TIMEOUT_S = 3
SESSION_GONE_S = 20.0


@pytest.fixture
def worker(instrument_name, kafka_settings, tmp_path):
    served = ServedWorker(
        instrument=instrument_name,
        bootstrap=kafka_settings.bootstrap,
        log_path=tmp_path / "serve.log",
        prefix="/w/0",
        extra_args=("--connect-timeout", str(CONNECT_TIMEOUT_S)),
    )
    try:
        served.wait_healthy()
        yield served
    finally:
        served.kill()


@pytest.fixture
def watcher(instrument_name, kafka_settings):
    watcher = StatusWatcher(kafka_settings, instrument_name)
    yield watcher
    watcher.close()


def test_a_port_in_use_exits_1_with_a_clear_log_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        served = ServedWorker(
            instrument="dummy",
            bootstrap="127.0.0.1:1",
            log_path=tmp_path / "serve.log",
            port=port,
        )
        try:
            assert served.popen.wait(timeout=60) == 1
        finally:
            served.kill()
    [line] = served.events("serve_cannot_start")
    assert line["port"] == port


def test_health_describes_the_worker(worker):
    status, headers, _ = worker.request("GET", "/w/0/health")
    health = worker.health()
    assert (status, headers["Content-Type"]) == (200, "application/json")
    assert health["status"] == "ok"
    assert (health["port"], health["prefix"], health["sessions"]) == (worker.port, "/w/0", 0)
    assert health["pid"] == worker.popen.pid
    assert health["rss_bytes"] > 0
    assert health["threads"] >= health["python_threads"] >= 1


def test_the_entry_redirects_to_the_prefix(worker):
    status, headers, _ = worker.request("GET", "/?x=1")
    assert (status, headers["Location"]) == (302, "/w/0/?x=1")


def test_drain_turns_the_entry_away_and_undrain_restores_it(worker):
    assert worker.request("POST", "/admin/drain")[0] == 200
    assert worker.request("GET", "/")[0] == 503
    assert worker.request("GET", "/health")[0] == 503
    assert worker.request("POST", "/admin/undrain")[0] == 200
    assert worker.request("GET", "/")[0] == 302


def test_sigusr1_toggles_draining(worker):
    worker.signal(signal.SIGUSR1)
    wait_until(lambda: worker.health()["draining"], timeout_s=10)
    worker.signal(signal.SIGUSR1)
    wait_until(lambda: not worker.health()["draining"], timeout_s=10)


def test_a_page_request_returns_the_bokeh_page(worker, instrument_name):
    status, headers, body = worker.request("GET", "/w/0/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert f"livedash · {instrument_name}".encode() in body
    assert b"bokeh" in body.lower()


def test_the_worker_heartbeats_every_two_seconds(worker, watcher):
    worker_id = worker.health()["worker_id"]
    running = of_service("dashboard", worker_id, ServiceState.RUNNING)
    wait_until(lambda: len(watcher.matching(running)) >= 3, timeout_s=20)
    beats = watcher.matching(running)
    assert beats[0].status.dashboard["port"] == worker.port
    assert beats[0].status.dashboard["worker_index"] == 0
    assert beats[0].envelope.update_interval == 2000


def test_sigterm_publishes_the_final_stopped_heartbeat_and_exits_0(worker, watcher):
    worker_id = worker.health()["worker_id"]
    watcher.wait_for(of_service("dashboard", worker_id), timeout_s=20)
    assert worker.stop() == 0
    stopped = watcher.wait_for(of_service("dashboard", worker_id, ServiceState.STOPPED), 20)
    assert stopped.status.active_job_count == 0


def test_a_session_publishes_heartbeats_and_a_stopped_one_when_discarded(worker, watcher):
    worker_id = worker.health()["worker_id"]
    assert worker.request("GET", "/w/0/")[0] == 200
    assert worker.health()["sessions"] == 1
    running = watcher.wait_for(of_service("dashboard_session"), timeout_s=20)
    session_id = running.status.worker_id
    assert running.status.dashboard["worker_id"] == worker_id
    watcher.wait_for(
        of_service("dashboard_session", session_id, ServiceState.STOPPED), SESSION_GONE_S
    )
    wait_until(lambda: worker.health()["sessions"] == 0, timeout_s=10)


def test_a_closed_session_leaves_no_threads_behind(worker):
    def one_session() -> None:
        assert worker.request("GET", "/w/0/")[0] == 200
        wait_until(lambda: worker.health()["sessions"] == 0, SESSION_GONE_S)

    one_session()  # warms up the executor thread that builds stacks
    baseline = worker.health()["threads"]
    assert worker.request("GET", "/w/0/")[0] == 200
    wait_until(lambda: worker.health()["threads"] > baseline, timeout_s=10)
    wait_until(lambda: worker.health()["sessions"] == 0, SESSION_GONE_S)
    wait_until(
        lambda: worker.health()["threads"] <= baseline,
        timeout_s=10,
        message=f"threads did not return to {baseline}: {worker.health()}",
    )


def test_sigterm_closes_live_sessions_before_the_worker(worker, watcher):
    worker_id = worker.health()["worker_id"]
    assert worker.request("GET", "/w/0/")[0] == 200
    session = watcher.wait_for(of_service("dashboard_session"), timeout_s=20)
    assert worker.stop() == 0
    session_id = session.status.worker_id
    session_stopped = of_service("dashboard_session", session_id, ServiceState.STOPPED)
    worker_stopped = of_service("dashboard", worker_id, ServiceState.STOPPED)
    watcher.wait_for(worker_stopped, timeout_s=20)
    order = [m for m in watcher.poll() if session_stopped(m) or worker_stopped(m)]
    assert [m.status.service_name for m in order] == ["dashboard_session", "dashboard"]
