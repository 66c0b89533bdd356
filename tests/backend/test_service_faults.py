"""Fault injection and bad input: the fake backend degrades like the real one, never dies."""

from __future__ import annotations

import pytest
import structlog

from livedash.backend.service import FakeBackend
from livedash.backend.settings import BackendSettings
from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.acks import AckResponse
from livedash.protocol.errors import DecodeError
from livedash.protocol.results import decode_result
from livedash.protocol.status import JobState, JobStatus, decode_status
from livedash.protocol.topics import livedata_topic_specs

from .conftest import load_sample
from .harness import Harness


def job_statuses(harness):
    return [beat for beat in harness.heartbeats() if isinstance(beat.status, JobStatus)]


def test_failing_workflow_reports_error_and_emits_no_data(dummy, clock):
    harness = Harness(dummy, clock, fail_workflows=frozenset({"panel_0_xy"}))
    harness.start("panel_0_xy", "panel_0")
    harness.start("total_counts", "panel_0")
    harness.run_for(4.0)
    keys = {key.workflow_id.name for key, _ in harness.results()}
    assert keys == {"total_counts"}
    failing = [b for b in job_statuses(harness) if b.status.workflow_id.name == "panel_0_xy"]
    assert failing[-1].status.state is JobState.ERROR
    assert failing[-1].nicos_status == 240
    assert failing[-1].status.error.startswith("Job failed to compute result.\n\nTraceback")


def test_warning_workflow_reports_warning_and_keeps_emitting(dummy, clock):
    harness = Harness(dummy, clock, warn_workflows=frozenset({"monitor_histogram"}))
    harness.start("monitor_histogram", "monitor1")
    harness.run_for(4.0)
    assert len(harness.results()) == 4 * 6
    latest = job_statuses(harness)[-1]
    assert latest.status.state is JobState.WARNING
    assert latest.nicos_status == 210
    assert "Job failed to process latest data." in latest.status.warning


def test_unknown_fault_workflow_is_rejected(dummy, clock):
    with pytest.raises(ValueError, match="unknown workflow names"):
        Harness(dummy, clock, fail_workflows=frozenset({"no_such_workflow"}))


def test_settings_for_another_instrument_are_rejected(dummy):
    broker = InMemoryBroker(topics=livedata_topic_specs("dummy"))
    with pytest.raises(ValueError, match="not 'dummy'"):
        FakeBackend(
            instrument=dummy,
            settings=BackendSettings(instrument="loki"),
            source=broker.consumer(topics=["dummy_livedata_commands"]),
            sink=broker.producer(),
        )


def test_garbage_fraction_spoils_that_share_of_output(dummy, clock):
    harness = Harness(dummy, clock, garbage_fraction=0.3)
    harness.start("total_counts", "panel_0")
    harness.start("monitor_histogram", "monitor2")
    harness.run_for(30.0, tick=1.0)
    bad = 0
    values = harness.new(harness.topics.data) + harness.new(harness.topics.status)
    for value in values:
        try:
            decode_result(value)
        except DecodeError:
            try:
                decode_status(value)
            except DecodeError:
                bad += 1
    injected = sum(harness.backend.garbage_injected.values())
    assert bad == injected
    assert 0.15 < injected / len(values) < 0.4


def test_final_heartbeats_are_never_garbled(dummy, clock):
    harness = Harness(dummy, clock, garbage_fraction=1.0)
    harness.start("total_counts", "panel_0")
    harness.run_for(2.0)
    harness.new(harness.topics.status)
    harness.backend.close()
    beats = harness.heartbeats()
    assert len(beats) == 5


@pytest.mark.parametrize(
    "value",
    [
        b"not json",
        b'{"kind":"job_command","action":"stop","job_id":{"source_name":"p","job_number":"x"}}',
        b'{"kind":"launch_missiles"}',
        b"",
    ],
    ids=["invalid_json", "invalid_uuid", "unknown_kind", "empty"],
)
def test_unparsable_command_gets_silence_and_is_counted(dummy, clock, value):
    harness = Harness(dummy, clock)
    harness.command(value)
    harness.step()
    assert harness.acks() == []
    assert harness.backend.bad_input.counts["command:undecodable"] == 1


def test_bad_input_is_logged_once_per_kind(dummy, clock):
    harness = Harness(dummy, clock)
    with structlog.testing.capture_logs() as logs:
        for _ in range(5):
            harness.command(b"garbage")
            harness.roi(b"\x00" * 12)
        harness.step()
    skipped = [entry for entry in logs if entry["event"] == "bad_input_skipped"]
    assert sorted(entry["kind"] for entry in skipped) == ["command:undecodable", "roi:undecodable"]
    assert harness.backend.bad_input.total() == 10


def test_valid_commands_after_garbage_are_still_answered(dummy, clock):
    harness = Harness(dummy, clock)
    harness.command(b"\xff\xfe")
    harness.roi(b"da00 but not really")
    harness.command(load_sample("cmd_workflow_config_total_counts").value)
    harness.step()
    [ack] = harness.acks()
    assert ack.response is AckResponse.ACK


def test_commands_sent_before_start_are_not_replayed(dummy, clock):
    broker = InMemoryBroker(topics=livedata_topic_specs("dummy"))
    broker.producer().produce(
        "dummy_livedata_commands", load_sample("cmd_workflow_config_total_counts").value
    )
    backend = FakeBackend(
        instrument=dummy,
        settings=BackendSettings(instrument="dummy"),
        source=broker.consumer(topics=["dummy_livedata_commands", "dummy_livedata_roi"]),
        sink=broker.producer(),
        clock=clock.monotonic,
        wall_clock_ns=clock.wall_ns,
    )
    backend.step()
    assert broker.messages("dummy_livedata_responses") == []
    assert backend.jobs() == []


def test_step_after_close_is_refused(dummy, clock):
    harness = Harness(dummy, clock)
    harness.backend.close()
    with pytest.raises(RuntimeError, match="closed"):
        harness.backend.step()
