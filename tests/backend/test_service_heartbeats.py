"""Heartbeat cadence and content of the fake backend's simulated services."""

from __future__ import annotations

import uuid

from livedash.protocol.status import JobState, JobStatus, ServiceState, ServiceStatus

from .harness import Harness

SERVICES = {"detector_data", "monitor_data", "data_reduction", "timeseries"}


def services(beats):
    return [beat.status for beat in beats if isinstance(beat.status, ServiceStatus)]


def jobs(beats):
    return [beat.status for beat in beats if isinstance(beat.status, JobStatus)]


def test_first_step_publishes_one_running_heartbeat_per_service(dummy, clock):
    harness = Harness(dummy, clock)
    harness.step()
    beats = services(harness.heartbeats())
    assert {status.service_name for status in beats} == SERVICES
    assert {status.state for status in beats} == {ServiceState.RUNNING}
    assert len({status.worker_id for status in beats}) == 4
    assert all(uuid.UUID(status.worker_id).version == 4 for status in beats)


def test_heartbeats_repeat_every_heartbeat_interval(dummy, clock):
    harness = Harness(dummy, clock)
    harness.step()
    harness.heartbeats()
    harness.run_for(1.5)
    assert harness.heartbeats() == []
    harness.step(0.5)
    assert len(services(harness.heartbeats())) == 4


def test_heartbeat_interval_is_configurable(dummy, clock):
    harness = Harness(dummy, clock, heartbeat_interval_s=0.5)
    harness.step()
    harness.heartbeats()
    harness.run_for(5.0, tick=0.25)
    assert len(services(harness.heartbeats())) == 4 * 10


def test_service_heartbeat_reports_start_time_and_batch_interval(dummy, clock):
    started = clock.wall_ns()
    harness = Harness(dummy, clock, update_interval_s=0.5)
    harness.run_for(2.0)
    for status in services(harness.heartbeats()):
        assert status.started_at == started
        assert status.batch_interval_s == 0.5
        assert status.instrument == "dummy"


def test_one_job_heartbeat_per_job_in_any_state(dummy, clock):
    harness = Harness(dummy, clock, fail_workflows=frozenset({"total_counts"}))
    harness.start("monitor_histogram", "monitor1")
    harness.start("monitor_histogram", "monitor2")
    harness.start("total_counts", "panel_0")
    harness.run_for(2.0)
    beats = harness.heartbeats()
    latest = jobs(beats)[-3:]
    assert {status.state for status in latest} == {JobState.ACTIVE, JobState.ERROR}
    counts = {status.service_name: status.active_job_count for status in services(beats)[-4:]}
    assert counts == {"monitor_data": 2, "data_reduction": 1, "detector_data": 0, "timeseries": 0}


def test_job_is_scheduled_until_its_first_update(dummy, clock):
    harness = Harness(dummy, clock, update_interval_s=5.0)
    job_id = harness.start("panel_0_xy", "panel_0")
    harness.run_for(2.0)
    status = [s for s in jobs(harness.heartbeats()) if s.job_id == job_id][-1]
    assert status.state is JobState.SCHEDULED
    assert status.start_time is None


def test_job_heartbeat_names_workflow_and_times(dummy, clock):
    harness = Harness(dummy, clock)
    started = clock.wall_ns()
    job_id = harness.start("area_panel_xy", "area_panel")
    harness.run_for(2.0)
    status = jobs(harness.heartbeats())[-1]
    assert status.job_id == job_id
    assert str(status.workflow_id) == "dummy/area_panel_xy/1"
    assert status.state is JobState.ACTIVE
    assert status.start_time == started
    assert status.end_time == clock.wall_ns()


def test_stream_stats_appear_once_per_window(dummy, clock):
    harness = Harness(dummy, clock)
    harness.run_for(62.0, tick=1.0)
    detector = [s for s in services(harness.heartbeats()) if s.service_name == "detector_data"]
    with_stats = [s for s in detector if s.stream_stats is not None]
    assert len(with_stats) == 2
    topics = {stat.topic for stat in with_stats[0].stream_stats.streams}
    assert topics == {"dummy_detector", "dummy_area_detector"}


def test_close_publishes_stopped_heartbeats_for_every_job_and_service(dummy, clock):
    harness = Harness(dummy, clock)
    harness.start("panel_0_xy", "panel_0")
    harness.start("timeseries_data", "motion1")
    harness.run_for(2.0)
    harness.heartbeats()
    harness.backend.close()
    beats = harness.heartbeats()
    assert {status.state for status in jobs(beats)} == {JobState.STOPPED}
    assert len(jobs(beats)) == 2
    assert {status.state for status in services(beats)} == {ServiceState.STOPPED}
    assert len(services(beats)) == 4
    assert {beat.nicos_status for beat in beats if isinstance(beat.status, JobStatus)} == {999}


def test_close_is_idempotent(dummy, clock):
    harness = Harness(dummy, clock)
    harness.backend.close()
    harness.heartbeats()
    harness.backend.close()
    assert harness.heartbeats() == []
