"""The embedded broker restarted under open tabs, and the operator's way back.

The package's demo (two workers, nginx, the embedded broker, the fake backend) with a
workflow running; tabs on both workers (short 2, long 6) show its plot updating once a
second. First the topics are given the offsets of a demo that has been up for about
ten minutes (``BALLAST`` valid messages that no tab shows on the data and status topics;
a fresh demo's offsets are so small that they hide what follows). Then the operator's
steps after the broker went down (docs/RELIABILITY.md):

1. ``supervisorctl stop broker`` / ``start broker``: Tansu keeps everything in memory,
   so it comes back empty, and creates the livedata topics again as it starts
   (``livedash broker --instrument``). The broker is *back* when every topic exists.

Observed for ``RESUME_WITHIN_S`` (15 s) from then:

- no worker restarted (same pids) and every tab is still connected;
- every session resumes: it did not end, its heartbeats arrive again, it still counts
  the workflow as running (what its card shows as ACTIVE), and its plot receives new
  results. The consumers notice that their partitions started over (the high
  watermark fell below their position) and read the new topics from their start
  (ADR 0009); a topic missing for a moment is waited for, not fatal.
- the fake backend did not restart and kept its jobs;
- a reload of every tab afterwards is Live and shows the workflow's results.

The same fault on one session stack without the demo (a broker restarted on its own
port) is the fast variant that runs in CI.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import scipp as sc
from playwright.sync_api import Browser

from livedash.broker.tansu import EmbeddedBroker, free_port
from livedash.instruments import load_instrument
from livedash.kafka.admin import ensure_topics, missing_topics
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, ResultKey, WorkflowId
from livedash.protocol.results import encode_result, peek_result_key
from livedash.protocol.status import (
    JobState,
    JobStatus,
    ServiceState,
    ServiceStatus,
    encode_job_status,
    encode_service_status,
)
from livedash.protocol.topics import livedata_topic_specs
from livedash.session.stack import SessionStack
from livedash.session.topics import SessionTopics
from livedash.session.transport import kafka_transport_factory
from tests.deploy.deployment import DemoRun
from tests.helpers import wait_until

from .demo import (
    INSTRUMENT,
    LIVE_WORKFLOW,
    kafka_settings,
    program_pid,
    start_workflow,
    supervisorctl,
    wait_all_healthy,
    wait_no_sessions,
)
from .heartbeats import HeartbeatLog
from .report import report
from .scale import sizes
from .tabs import Tab, open_tabs

pytestmark = pytest.mark.integration

BALLAST = 2_000
LONE_BALLAST = 500
RESUME_WITHIN_S = 15.0
UNSHOWN = WorkflowId(instrument=INSTRUMENT, name="monitor_histogram", version=1)


@dataclass
class Restart:
    """What happened around one broker restart (filled by the ``restarted`` fixture)."""

    demo: DemoRun
    tabs: list[Tab]
    worker_pids: list[int]
    backend_pid: int
    stopped_s: float = 0.0  # supervisorctl stop broker took this long
    back_at: float = 0.0  # epoch s when every topic existed again
    worker_pids_after: list[int] = field(default_factory=list)
    connected_after: list[bool] = field(default_factory=list)
    heartbeats_after: dict[str, float] = field(default_factory=dict)  # session -> delay
    running_after: dict[str, int] = field(default_factory=dict)  # session -> workflows
    published_after: float | None = None  # the backend's first result after the return
    results_after: list[float | None] = field(default_factory=list)  # tab -> delay
    backend_restarted: bool = False
    stopped: set[str] = field(default_factory=set)  # sessions that ended (fatal error)


def produce_ballast(demo: DemoRun) -> None:
    """``BALLAST`` messages each on data and status that no session shows or follows."""
    topics = SessionTopics.for_instrument(INSTRUMENT)
    key = ResultKey(
        workflow_id=UNSHOWN,
        job_id=JobId(source_name="monitor1", job_number=uuid.uuid4()),
        output_name="current",
    )
    result = encode_result(
        key, sc.DataArray(sc.ones(dims=["x"], shape=[4], unit="counts")), timestamp_ns=1
    )
    heartbeat = encode_service_status(
        ServiceStatus(
            instrument=INSTRUMENT,
            service_name="ballast",
            worker_id=str(uuid.uuid4()),
            state=ServiceState.RUNNING,
            started_at=1,
            active_job_count=0,
        ),
        host_name="test",
        process_id=1,
    )
    producer = Producer.create(kafka_settings(demo), client_id="reliability-ballast")
    try:
        for _ in range(BALLAST):
            producer.produce(topics.data, result)
            producer.produce(topics.status, heartbeat)
        assert producer.flush(60.0) == 0
    finally:
        producer.close()


def restart_broker(demo: DemoRun) -> float:
    """The operator's steps 1 and 2; how long stopping the broker took."""
    started = time.monotonic()
    supervisorctl(demo, "stop", "broker")
    stopped_s = time.monotonic() - started
    supervisorctl(demo, "start", "broker")  # it creates the topics as it starts
    names = [spec.name for spec in livedata_topic_specs(INSTRUMENT)]
    wait_until(
        lambda: not missing_topics(kafka_settings(demo), names),
        60,
        0.1,
        message="the topics were not re-created",
    )
    return stopped_s


def sessions_of(log: HeartbeatLog, worker_ids: list[str], count: int) -> set[str] | None:
    """The running sessions of the workers, once there are ``count`` of them."""
    found: set[str] = set().union(*(log.sessions_of(w) for w in worker_ids))
    return found if len(found) == count else None


def first_after(times: list[float], moment: float) -> float | None:
    later = [t - moment for t in times if t >= moment]
    return min(later) if later else None


class ResultWatcher:
    """Results of the live workflow on the data topic, read by a consumer created after
    the broker's return (so it starts at the new topic's end)."""

    def __init__(self, demo: DemoRun) -> None:
        self._consumer = AssignedConsumer.create(
            kafka_settings(demo),
            topics=[SessionTopics.for_instrument(INSTRUMENT).data],
            group_prefix="test_reliability_results",
        )
        self.first_at: float | None = None

    def poll(self) -> None:
        for message in self._consumer.poll_batch(max_messages=500, timeout_s=0.02):
            try:
                key = peek_result_key(message.value)
            except DecodeError:
                continue
            if key.workflow_id == LIVE_WORKFLOW and self.first_at is None:
                self.first_at = time.time()

    def close(self) -> None:
        self._consumer.close()


def observe(
    restart: Restart, watcher: HeartbeatLog, results: ResultWatcher, sessions: set[str]
) -> None:
    """Wait until everything resumed or ``RESUME_WITHIN_S`` passed; record what did."""
    back = restart.back_at

    def resumed() -> bool:
        watcher.poll()
        results.poll()
        if results.first_at is not None:
            restart.published_after = results.first_at - back
        for session in sessions:
            last = watcher.last(session)
            if last is not None and last.state is ServiceState.STOPPED:
                restart.stopped.add(session)  # its pump ended: "This session has stopped"
                continue
            beats = watcher.beats_between(session, back, back + 3600)
            if beats and session not in restart.heartbeats_after:
                restart.heartbeats_after[session] = beats[0] - back
            if last is not None:
                restart.running_after[session] = last.active_job_count
        restart.results_after = [first_after(t.data_updates(), back) for t in restart.tabs]
        return len(restart.heartbeats_after) == len(sessions) and all(
            delay is not None for delay in restart.results_after
        )

    try:
        wait_until(resumed, RESUME_WITHIN_S + max(0.0, back - time.time()), 0.2)
    except AssertionError:
        pass  # the tests below say what did not resume
    restart.worker_pids_after = [int(h.document["pid"]) for h in restart.demo.health_all(2)]
    restart.connected_after = [t.live for t in restart.tabs]
    restart.backend_restarted = program_pid(restart.demo, "fake-backend") != restart.backend_pid


@pytest.fixture(scope="module", params=sizes(2, 6))
def restarted(
    request: pytest.FixtureRequest, live_demo: DemoRun, browser: Browser
) -> Iterator[Restart]:
    """The restart and what was observed; the last test of the module recovers the demo."""
    demo = live_demo
    wait_all_healthy(demo)
    wait_no_sessions(demo)
    context = browser.new_context()
    watcher: HeartbeatLog | None = None
    try:
        tabs = open_tabs(context, [f"{demo.url}/w/{i % 2}/" for i in range(request.param)])
        since = time.time()
        for tab in tabs:
            tab.record_updates()
        for tab in tabs:
            wait_until(lambda t=tab: first_after(t.data_updates(), since), 60, 0.2)
        before = HeartbeatLog(kafka_settings(demo), INSTRUMENT)
        worker_ids = [h.document["worker_id"] for h in demo.health_all(2)]
        sessions: set[str] = before.wait_for(  # type: ignore[assignment]
            lambda log: sessions_of(log, worker_ids, len(tabs)),
            30,
            "not every tab's session heartbeats",
        )
        before.close()
        produce_ballast(demo)
        restart = Restart(
            demo=demo,
            tabs=tabs,
            worker_pids=[int(h.document["pid"]) for h in demo.health_all(2)],
            backend_pid=program_pid(demo, "fake-backend"),
        )
        restart.stopped_s = restart_broker(demo)
        restart.back_at = time.time()
        watcher = HeartbeatLog(kafka_settings(demo), INSTRUMENT)
        results = ResultWatcher(demo)
        try:
            observe(restart, watcher, results, sessions)
        finally:
            results.close()
        report(
            "broker_restart",
            tabs=len(tabs),
            ballast=BALLAST,
            broker_stop_s=round(restart.stopped_s, 1),
            worker_pids_same=restart.worker_pids_after == restart.worker_pids,
            backend_restarted=restart.backend_restarted,
            backend_result_after_s=None
            if restart.published_after is None
            else round(restart.published_after, 1),
            sessions_stopped=len(restart.stopped),
            heartbeat_after_s=sorted(round(d, 1) for d in restart.heartbeats_after.values()),
            running_workflows_after=sorted(restart.running_after.values()),
            first_result_after_s=[
                None if d is None else round(d, 1) for d in restart.results_after
            ],
        )
        yield restart
    finally:
        if watcher is not None:
            watcher.close()
        context.close()


def test_a_broker_restart_crashes_no_worker_and_drops_no_tab(restarted: Restart) -> None:
    assert restarted.worker_pids_after == restarted.worker_pids
    assert all(restarted.connected_after)


def test_every_session_resumes_within_15_s_of_the_brokers_return(restarted: Restart) -> None:
    assert not restarted.stopped, f"{len(restarted.stopped)} session(s) ended on a fatal error"
    heartbeats = restarted.heartbeats_after
    assert len(heartbeats) == len(restarted.tabs), f"sessions heartbeating again: {heartbeats}"
    assert all(delay <= RESUME_WITHIN_S for delay in heartbeats.values()), heartbeats
    # What each session's card shows: the workflow still counts as running (ACTIVE).
    assert all(count >= 1 for count in restarted.running_after.values()), restarted.running_after
    assert restarted.published_after is not None, (
        f"the backend published no result after the broker's return "
        f"(it restarted: {restarted.backend_restarted}, and lost its jobs)"
    )
    results = restarted.results_after
    assert all(d is not None and d <= RESUME_WITHIN_S for d in results), (
        f"the backend published again {restarted.published_after:.1f} s after the broker's "
        f"return; seconds to each tab's first new result: {results}"
    )


def test_the_backend_kept_running_and_kept_its_jobs(restarted: Restart) -> None:
    assert not restarted.backend_restarted
    assert restarted.published_after is not None


def test_reloading_the_tabs_after_the_restart_shows_live_results(restarted: Restart) -> None:
    """Also leaves the demo as it was: should the backend have lost its jobs, the
    workflow is started again."""
    demo = restarted.demo
    reload_s = [tab.reload() for tab in restarted.tabs]
    start_workflow(demo)
    since = time.time()
    for tab in restarted.tabs:
        tab.record_updates()
    for tab in restarted.tabs:
        wait_until(
            lambda t=tab: first_after(t.data_updates(), since),
            60,
            0.2,
            message=f"reloaded tab on worker {tab.worker} shows no new results",
        )
    report(
        "broker_restart.recovery",
        tabs=len(restarted.tabs),
        reload_live_s=[round(s, 1) for s in reload_s],
        first_result_after_restart_s=[
            round(first_after(t.data_updates(), since) or 0, 1) for t in restarted.tabs
        ],
    )
    assert all(tab.live for tab in restarted.tabs)


# --- the same fault without the demo: one session stack, a broker restarted on its port ---


@pytest.fixture
def lone_broker() -> Iterator[list[EmbeddedBroker]]:
    """A broker of this test's own on a fixed port (the list holds its restarts too)."""
    brokers = [EmbeddedBroker(port=free_port())]
    brokers[0].start()
    try:
        brokers[0].wait_ready(30)
        yield brokers
    finally:
        for broker in brokers:
            broker.stop(timeout_s=1.0)


def test_a_session_hears_the_backend_within_15_s_of_its_broker_restarting_on_its_port(
    lone_broker: list[EmbeddedBroker],
) -> None:
    broker = lone_broker[0]
    settings = KafkaSettings(bootstrap=broker.bootstrap)
    specs = livedata_topic_specs(INSTRUMENT)
    ensure_topics(settings, specs, timeout_s=10.0)
    topics = SessionTopics.for_instrument(INSTRUMENT)
    stack = SessionStack(
        transport_factory=kafka_transport_factory(settings),
        instrument=load_instrument(INSTRUMENT),
        worker_id=str(uuid.uuid4()),
    )
    producer = Producer.create(settings, client_id="reliability-lone-backend")
    job = job_heartbeat()
    try:
        stack.start()
        for _ in range(LONE_BALLAST):
            producer.produce(topics.status, job)
        assert producer.flush(30.0) == 0
        wait_until(lambda: routed(stack, "job_status") >= LONE_BALLAST, 30, 0.1)
        broker.stop(timeout_s=1.0)
        restarted = EmbeddedBroker(port=broker.port)
        lone_broker.append(restarted)
        restarted.start()
        restarted.wait_ready(30)
        ensure_topics(settings, specs, timeout_s=10.0)
        back = time.monotonic()
        before = routed(stack, "job_status")

        def heard() -> bool:
            producer.produce(topics.status, job)  # the backend heartbeats on
            producer.poll(0)
            return routed(stack, "job_status") > before

        try:
            wait_until(heard, RESUME_WITHIN_S, 0.25)
        except AssertionError:
            raise AssertionError(
                f"no job heartbeat reached the session within {RESUME_WITHIN_S} s of the "
                f"broker's return (its pump: {stack.stats()['pump']['failure'] or 'running'})"
            ) from None
        report("broker_restart.lone_stack", resumed_after_s=round(time.monotonic() - back, 2))
    finally:
        producer.close()
        stack.close()


def routed(stack: SessionStack, outcome: str) -> int:
    return int(stack.stats()["pump"]["routed"].get(outcome, 0))


def job_heartbeat() -> bytes:
    status = JobStatus(
        job_id=JobId(source_name="area_panel", job_number=uuid.uuid4()),
        workflow_id=LIVE_WORKFLOW,
        state=JobState.ACTIVE,
        start_time=1,
    )
    return encode_job_status(status, host_name="test", process_id=1)
