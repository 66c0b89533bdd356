from __future__ import annotations

import threading
import uuid

import pytest
from structlog.testing import capture_logs

from livedash.instruments import Instrument
from livedash.kafka.errors import KafkaFatalError
from livedash.kafka.memory import InMemoryBroker
from livedash.kafka.message import Message
from livedash.protocol.acks import Acknowledgement, AckResponse, encode_ack
from livedash.protocol.commands import JobAction, JobCommand, WorkflowConfig, encode_command
from livedash.protocol.da00 import encode_da00
from livedash.protocol.results import encode_result
from livedash.protocol.status import encode_job_status
from livedash.protocol.topics import livedata_topic_specs
from livedash.session import pump as pump_module
from livedash.session.command_observer import CommandObserver
from livedash.session.data_service import DataKey, DataService
from livedash.session.job_service import JobService
from livedash.session.notifications import NotificationLevel, NotificationQueue
from livedash.session.pending_commands import PendingCommands
from livedash.session.pump import Freshness, MessagePump, Ticker
from livedash.session.service_registry import ServiceRegistry
from livedash.session.topics import SessionTopics
from livedash.store.config_store import ConfigStore
from livedash.store.documents import GRIDS_DOC, GridIndex
from tests.helpers import wait_until
from tests.samples import load_vector

from .fakes import PANEL, FakeClock, image, job_status, memory_broker, result_key

TOPICS = SessionTopics.for_instrument("dummy")
SESSION_ID = "0123abcd-0000-4000-8000-000000000000"
SAMPLE_JOB = uuid.UUID("dab0a4d0-0000-4000-8000-000000000001")


def sample(name: str) -> bytes:
    return load_vector(name)[0]


def sidecar(name: str) -> dict:
    return load_vector(name)[1]


class Parts:
    """A pump wired to real services on an in-memory broker."""

    def __init__(
        self,
        dummy: Instrument,
        clock: FakeClock,
        *,
        broker: InMemoryBroker | None = None,
        **pump_args,
    ) -> None:
        self.broker: InMemoryBroker = broker or memory_broker()
        self.source = self.broker.consumer(TOPICS.consumed, start_positions=TOPICS.start_positions)
        self.producer = self.broker.producer()
        self.jobs = JobService(workflows=dummy.workflows, clock=clock)
        self.services = ServiceRegistry(clock=clock)
        self.notifications = NotificationQueue()
        self.pending = PendingCommands(notifications=self.notifications, clock=clock)
        self.data = DataService(generations=self.jobs)
        self.data.interest(None)
        self.observer = CommandObserver(jobs=self.jobs, results=self.data, clock=clock)
        args = {
            "source": self.source,
            "topics": TOPICS,
            "results": self.data,
            "jobs": self.jobs,
            "services": self.services,
            "acks": self.pending,
            "commands": self.observer,
            "session_id": SESSION_ID,
            "clock": clock,
            **pump_args,
        }
        self.pump = MessagePump(**args)

    def send(self, topic: str, value: bytes) -> None:
        self.producer.produce(topic, value)

    def drain(self) -> None:
        while self.pump.run_once():
            pass


@pytest.fixture
def parts(dummy: Instrument, clock: FakeClock) -> Parts:
    return Parts(dummy, clock)


def test_sample_messages_reach_their_services(parts: Parts) -> None:
    parts.send(TOPICS.status, sample("x5f2_job_active_panel_0_xy"))
    parts.send(TOPICS.status, sample("x5f2_service_running_monitor_data"))
    # Kafka orders messages per partition only: the heartbeat must be routed first.
    parts.drain()
    parts.send(TOPICS.data, sample("da00_panel_0_xy_cumulative"))
    parts.drain()
    assert parts.jobs.current_job_number(PANEL) == SAMPLE_JOB
    assert [e.status.service_name for e in parts.services.backend_services()] == ["monitor_data"]
    assert parts.data.get(DataKey(PANEL, "panel_0", "cumulative")) is not None


def test_ack_for_registered_command_raises_a_notification(parts: Parts) -> None:
    name = "ack_workflow_config_panel_0_xy_default"
    ack_bytes, message_id = sample(name), sidecar(name)["json"]["message_id"]
    parts.pending.register(message_id, expected_count=1, description="go")
    parts.send(TOPICS.responses, ack_bytes)
    parts.drain()
    [note] = parts.notifications.drain()
    assert note.level is NotificationLevel.SUCCESS


def test_garbage_on_every_topic_is_counted_while_valid_messages_get_through(
    parts: Parts,
) -> None:
    number = uuid.uuid4()
    for _ in range(2):
        for topic in TOPICS.consumed:
            parts.send(topic, b"\x00\x01garbage")
    parts.send(TOPICS.data, encode_da00(image(), source_name="not a key", timestamp_ns=0))
    parts.send(TOPICS.responses, b'{"message_id": 3}')
    parts.send(
        TOPICS.status,
        encode_job_status(job_status(PANEL, "panel_0", number), host_name="h", process_id=1),
    )
    with capture_logs() as logs:
        parts.drain()
    parts.send(TOPICS.data, b"\x00\x01garbage")
    parts.send(
        TOPICS.data, encode_result(result_key(PANEL, "panel_0", number), image(), timestamp_ns=0)
    )
    parts.send(TOPICS.data, b"\x00\x01garbage")
    with capture_logs() as more_logs:
        parts.drain()
    logs += more_logs
    errors = parts.pump.stats()["decode_errors"]
    assert errors == {"da00": 4, "x5f2": 2, "ack": 3, "result_key": 1, "command": 2}
    skipped = [log for log in logs if log["event"] == "message_skipped"]
    kinds = ["ack", "command", "da00", "result_key", "x5f2"]
    assert sorted(log["kind"] for log in skipped) == kinds
    assert all({"topic", "partition", "offset", "reason"} <= set(log) for log in skipped)
    assert parts.data.get(DataKey(PANEL, "panel_0", "cumulative")) is not None


def test_unwanted_result_is_not_decoded(parts: Parts, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: bytes) -> None:
        raise AssertionError("decoded a result nobody wants")

    monkeypatch.setattr(pump_module, "decode_result", refuse)
    stale = result_key(PANEL, "panel_0", uuid.uuid4())
    parts.send(TOPICS.data, encode_result(stale, image(), timestamp_ns=0))
    parts.drain()
    stats = parts.pump.stats()
    assert stats["routed"] == {"data_skipped": 1}
    assert stats["route_errors"] == {}


def test_routing_failure_is_counted_and_the_pump_keeps_going(parts: Parts) -> None:
    def explode(_: Acknowledgement) -> bool:
        raise RuntimeError("bug")

    parts.pending.on_ack = explode  # type: ignore[method-assign]
    ack = Acknowledgement(message_id="m", device="d", response=AckResponse.ACK)
    parts.send(TOPICS.responses, encode_ack(ack))
    parts.send(TOPICS.responses, encode_ack(ack))
    parts.send(
        TOPICS.status,
        encode_job_status(job_status(PANEL, "panel_0", uuid.uuid4()), host_name="h", process_id=1),
    )
    with capture_logs() as logs:
        parts.drain()
    assert parts.pump.stats()["route_errors"] == {"RuntimeError": 2}
    assert len([log for log in logs if log["event"] == "message_routing_failed"]) == 1
    assert parts.jobs.current_job_number(PANEL) is not None


def test_failing_ticker_is_counted_and_the_others_run(dummy: Instrument, clock: FakeClock) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise ValueError("nope")

    parts = Parts(
        dummy, clock, tickers=[Ticker("broken", broken), Ticker("ok", lambda: ran.append("ok"))]
    )
    parts.pump.tick()
    assert ran == ["ok"]
    assert parts.pump.stats()["tick_errors"] == {"broken": 1}


def test_tickers_run_at_most_every_tick_interval(dummy: Instrument, clock: FakeClock) -> None:
    ran: list[float] = []
    parts = Parts(
        dummy, clock, tickers=[Ticker("t", lambda: ran.append(clock()))], poll_timeout_s=0.001
    )
    parts.pump.run_once()
    parts.pump.run_once()
    clock.advance(0.25)
    parts.pump.run_once()
    assert len(ran) == 2


def test_new_results_run_the_tickers_soon_instead_of_after_the_interval(
    dummy: Instrument, clock: FakeClock
) -> None:
    # The plot states are computed by a ticker: a result should not wait 0.25 s for it.
    ran: list[float] = []
    parts = Parts(
        dummy, clock, tickers=[Ticker("t", lambda: ran.append(clock()))], poll_timeout_s=0.001
    )
    job = uuid.uuid4()
    heartbeat = job_status(PANEL, "panel_0", job)
    parts.send(TOPICS.status, encode_job_status(heartbeat, host_name="h", process_id=1))
    parts.pump.run_once()  # the first tick; the session knows the job now
    parts.send(
        TOPICS.data, encode_result(result_key(PANEL, "panel_0", job), image(), timestamp_ns=0)
    )
    parts.pump.run_once()  # routes the result; too soon after the last tick
    assert parts.pump.stats()["routed"]["data"] == 1
    assert len(ran) == 1
    clock.advance(0.06)
    parts.pump.run_once()
    assert len(ran) == 2  # some 50 ms after, not 250
    clock.advance(0.06)
    parts.pump.run_once()  # nothing new: the interval again
    assert len(ran) == 2
    clock.advance(0.2)
    parts.pump.run_once()
    assert len(ran) == 3


def test_skipped_results_do_not_hurry_the_tickers(dummy: Instrument, clock: FakeClock) -> None:
    ran: list[float] = []
    parts = Parts(
        dummy, clock, tickers=[Ticker("t", lambda: ran.append(clock()))], poll_timeout_s=0.001
    )
    parts.data.interest(frozenset())  # no plot wants anything
    parts.pump.run_once()
    parts.send(
        TOPICS.data,
        encode_result(result_key(PANEL, "panel_0", uuid.uuid4()), image(), timestamp_ns=0),
    )
    parts.pump.run_once()
    clock.advance(0.1)
    parts.pump.run_once()
    assert len(ran) == 1


def test_thread_is_named_daemon_and_stops_idempotently(parts: Parts) -> None:
    parts.pump.start()
    parts.pump.start()
    names = {t.name: t for t in threading.enumerate()}
    thread = names["session-pump-0123abcd"]
    assert thread.daemon
    assert parts.pump.stop(timeout=2.0)
    assert parts.pump.stop(timeout=2.0)
    assert not thread.is_alive()


def test_running_pump_routes_messages(parts: Parts) -> None:
    parts.pump.start()
    try:
        parts.send(TOPICS.status, sample("x5f2_job_active_panel_0_xy"))
        wait_until(lambda: parts.jobs.current_job_number(PANEL) == SAMPLE_JOB, timeout_s=5.0)
    finally:
        parts.pump.stop()


class FatalSource:
    closed = False

    def release(self) -> None:
        pass

    def poll_batch(self, max_messages: int = 100, timeout_s: float = 0.05) -> list[Message]:
        raise KafkaFatalError("authentication failed")

    def close(self) -> None:
        self.closed = True


def test_fatal_source_error_ends_the_pump_and_is_reported(
    dummy: Instrument, clock: FakeClock
) -> None:
    reported: list[BaseException] = []
    parts = Parts(dummy, clock, on_failure=reported.append)
    parts.pump._source = FatalSource()  # swap in a failing source
    parts.pump.start()
    wait_until(lambda: reported, timeout_s=5.0)
    assert parts.pump.stop(timeout=2.0)
    assert isinstance(parts.pump.failure, KafkaFatalError)
    assert parts.pump.stats()["failure"] is not None


def stop_command(job_number: uuid.UUID, message_id: str = "stop-1") -> JobCommand:
    job_id = job_status(PANEL, "panel_0", job_number).job_id
    return JobCommand(message_id=message_id, job_id=job_id, action=JobAction.STOP)


def test_commands_reach_the_observer_and_their_acks_too(parts: Parts) -> None:
    number = uuid.uuid4()
    parts.send(
        TOPICS.status,
        encode_job_status(job_status(PANEL, "panel_0", number), host_name="h", process_id=1),
    )
    command = stop_command(number)
    parts.send(TOPICS.commands, encode_command(command))
    parts.send(
        TOPICS.commands,
        encode_command(WorkflowConfig(identifier=PANEL, job_id=command.job_id)),
    )
    parts.drain()
    assert parts.jobs.current_job_number(PANEL) == number
    ack = Acknowledgement(message_id="stop-1", device=str(command.job_id), response=AckResponse.ACK)
    parts.send(TOPICS.responses, encode_ack(ack))
    parts.drain()
    assert parts.jobs.current_job_number(PANEL) is None
    assert parts.pump.stats()["routed"] == {"job_status": 1, "command": 2, "ack": 1}
    assert parts.observer.stats()["workflow_config_foreign"] == 1
    assert parts.notifications.drain() == []


def test_garbage_on_the_commands_topic_is_counted_and_the_pump_keeps_going(
    parts: Parts,
) -> None:
    number = uuid.uuid4()
    parts.send(
        TOPICS.status,
        encode_job_status(job_status(PANEL, "panel_0", number), host_name="h", process_id=1),
    )
    for garbage in (b"\x00\x01garbage", b'{"kind": "job_command"}', b'{"kind": "nope"}'):
        parts.send(TOPICS.commands, garbage)
    parts.send(TOPICS.commands, encode_command(stop_command(number)))
    ack = Acknowledgement(message_id="stop-1", device=f"panel_0/{number}", response=AckResponse.ACK)
    parts.send(TOPICS.responses, encode_ack(ack))
    with capture_logs() as logs:
        parts.drain()
    stats = parts.pump.stats()
    assert stats["decode_errors"] == {"command": 3}
    assert stats["routed"]["command"] == 1
    assert [log["kind"] for log in logs if log["event"] == "message_skipped"] == ["command"]
    assert parts.jobs.current_job_number(PANEL) is None


def test_ack_reaches_the_observer_even_when_pending_commands_fail(parts: Parts) -> None:
    def explode(_: Acknowledgement) -> bool:
        raise RuntimeError("bug")

    number = uuid.uuid4()
    parts.jobs.on_job_status(job_status(PANEL, "panel_0", number))
    parts.pending.on_ack = explode  # type: ignore[method-assign]
    parts.send(TOPICS.commands, encode_command(stop_command(number)))
    ack = Acknowledgement(message_id="stop-1", device=f"panel_0/{number}", response=AckResponse.ACK)
    parts.send(TOPICS.responses, encode_ack(ack))
    parts.drain()
    assert parts.pump.stats()["route_errors"] == {"RuntimeError": 1}
    assert parts.jobs.current_job_number(PANEL) is None


def test_pump_without_an_observer_still_decodes_and_counts_commands(
    dummy: Instrument, clock: FakeClock
) -> None:
    parts = Parts(dummy, clock, commands=None)
    parts.send(TOPICS.commands, encode_command(stop_command(uuid.uuid4())))
    parts.send(TOPICS.commands, b"garbage")
    parts.drain()
    stats = parts.pump.stats()
    assert stats["routed"] == {"command": 1}
    assert stats["decode_errors"] == {"command": 1}


def test_config_records_reach_the_store_whole_and_skips_are_counted(
    dummy: Instrument, clock: FakeClock
) -> None:
    broker = memory_broker()
    store = ConfigStore(
        sink=broker.producer(), topic=TOPICS.livedash_config, writer_id="someone-else"
    )
    parts = Parts(dummy, clock, broker=broker, config=store)
    store.put(GRIDS_DOC, GridIndex(), base_version=None)
    parts.send(TOPICS.livedash_config, b'{"not": "keyed"}')
    with capture_logs() as logs:
        parts.drain()
    document = store.get(GRIDS_DOC)
    assert document is not None
    assert document.body == GridIndex()
    assert parts.pump.stats()["routed"] == {"config": 1, "config_skipped": 1}
    assert parts.pump.stats()["decode_errors"] == {}
    assert store.stats()["skipped"] == {"config_key": 1}
    assert [log["kind"] for log in logs if log["event"] == "config_record_skipped"] == [
        "config_key"
    ]


def test_config_records_without_a_store_are_ignored(parts: Parts) -> None:
    parts.send(TOPICS.livedash_config, b"{}")
    parts.drain()
    assert parts.pump.stats()["routed"] == {"config_ignored": 1}


def test_freshness_counts_silence_from_the_start_and_from_each_arrival(
    dummy: Instrument, clock: FakeClock
) -> None:
    parts = Parts(dummy, clock, wall=lambda: 0.0)
    clock.advance(3.0)
    assert parts.pump.freshness() == Freshness(silent_s=3.0, behind_s=None)
    parts.send(TOPICS.status, b"not x5f2")
    parts.drain()
    assert parts.pump.freshness().silent_s == 0.0
    clock.advance(12.0)
    parts.pump.run_once()
    assert parts.pump.freshness().silent_s == 12.0


def test_freshness_tells_how_old_the_newest_live_message_was_on_arrival(
    dummy: Instrument, clock: FakeClock
) -> None:
    published_ms = [0]
    now = [90.0]
    broker = InMemoryBroker(topics=livedata_topic_specs("dummy"), clock_ms=lambda: published_ms[-1])
    parts = Parts(dummy, clock, broker=broker, wall=lambda: now[0])
    now[0] = 100.0
    published_ms.append(93_000)  # published 7 s before it arrives
    parts.send(TOPICS.status, b"not x5f2")
    parts.drain()
    assert parts.pump.freshness().behind_s == pytest.approx(7.0)
    published_ms.append(1_000)  # the configuration topic is read from its beginning
    parts.send(TOPICS.livedash_config, b"{}")
    parts.drain()
    assert parts.pump.freshness().behind_s == pytest.approx(7.0)
    published_ms.append(99_800)
    parts.send(TOPICS.status, b"not x5f2")
    parts.drain()
    assert parts.pump.freshness().behind_s == pytest.approx(0.2)


def test_history_published_before_the_session_does_not_count_as_falling_behind(
    dummy: Instrument, clock: FakeClock
) -> None:
    """A new session reads the last seconds of data and status (ADR 0012): old by
    design, not late."""
    published_ms = [95_000]
    broker = InMemoryBroker(topics=livedata_topic_specs("dummy"), clock_ms=lambda: published_ms[-1])
    broker.producer().produce(TOPICS.status, b"not x5f2")  # 5 s before the session
    now = [100.0]
    parts = Parts(dummy, clock, broker=broker, wall=lambda: now[0])
    parts.drain()
    assert parts.pump.stats()["received"] == 1
    assert parts.pump.freshness() == Freshness(silent_s=0.0, behind_s=None)
    now[0] = 101.0
    published_ms.append(100_500)
    parts.send(TOPICS.status, b"not x5f2")
    parts.drain()
    assert parts.pump.freshness().behind_s == pytest.approx(0.5)
