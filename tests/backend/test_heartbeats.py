import uuid

import numpy as np
import pytest

from livedash.backend.faults import FaultPlan
from livedash.backend.heartbeats import HeartbeatBuilder, SimulatedWorker
from livedash.backend.jobs import JobManager
from livedash.protocol.ids import JobId
from livedash.protocol.status import (
    JobState,
    JobStatus,
    ServiceState,
    ServiceStatus,
    decode_status,
)

T0 = 1_763_712_000_000_000_000


@pytest.fixture
def worker(dummy):
    jobs = JobManager(
        instrument=dummy,
        service_name="monitor_data",
        faults=FaultPlan(),
        seed=np.random.SeedSequence(0),
    )
    return SimulatedWorker.create(instrument="dummy", jobs=jobs, started_at_ns=T0)


def builder(workers, **kwargs):
    options = {
        "host_name": "testhost",
        "process_id": 4242,
        "software_version": "0.1.0",
        "batch_interval_s": 1.0,
        "stats_window_s": 30.0,
        "now": 0.0,
    } | kwargs
    return HeartbeatBuilder(workers=workers, **options)


def start(worker, dummy, source):
    spec = dummy.workflow("dummy/monitor_histogram/1")
    job_id = JobId(source_name=source, job_number=uuid.uuid4())
    return worker.jobs.schedule(spec, job_id=job_id, params={}, now_ns=T0)


def test_worker_streams_are_the_raw_inputs_of_its_workflows(worker):
    assert {(s.topic, s.source_name) for s in worker.raw_streams} == {
        ("dummy_beam_monitor", "monitor1"),
        ("dummy_beam_monitor", "monitor2"),
    }


def test_beat_sends_one_job_heartbeat_per_job_then_the_service(worker, dummy):
    start(worker, dummy, "monitor1")
    start(worker, dummy, "monitor2")
    decoded = [decode_status(value) for value in builder([worker]).beat(1.0)]
    assert [type(m.status) for m in decoded] == [JobStatus, JobStatus, ServiceStatus]
    service = decoded[-1]
    assert service.status.active_job_count == 2
    assert service.status.state is ServiceState.RUNNING
    assert service.status.worker_id == worker.worker_id
    assert service.envelope.service_id == f"dummy:monitor_data:{worker.worker_id}"
    assert service.envelope.update_interval == 2000
    assert decoded[0].envelope.update_interval == 1000


def test_every_worker_has_its_own_uuid4(dummy, worker):
    other = SimulatedWorker.create(instrument="dummy", jobs=worker.jobs, started_at_ns=T0)
    assert other.worker_id != worker.worker_id
    assert uuid.UUID(other.worker_id).version == 4


def test_stream_stats_are_attached_once_per_window(worker):
    beats = builder([worker], stats_window_s=30.0)
    assert decode_status(beats.beat(2.0)[-1]).status.stream_stats is None
    stats = decode_status(beats.beat(31.0)[-1]).status.stream_stats
    assert stats.window_seconds == pytest.approx(31.0)
    assert {s.count for s in stats.streams} == {434}
    assert decode_status(beats.beat(33.0)[-1]).status.stream_stats is None


def test_final_beat_restamps_jobs_and_service_stopped(worker, dummy):
    job = start(worker, dummy, "monitor1")
    job.step(T0 + 1_000_000_000)
    decoded = [decode_status(value) for value in builder([worker]).final()]
    assert decoded[0].status.state is JobState.STOPPED
    assert decoded[0].nicos_status == 999
    assert decoded[0].status.start_time == T0
    assert decoded[-1].status.state is ServiceState.STOPPED
    assert decoded[-1].nicos_status == 235


def test_scheduled_job_heartbeat_has_no_times(worker, dummy):
    start(worker, dummy, "monitor2")
    job_beat = decode_status(builder([worker]).beat(0.0)[0])
    assert job_beat.status.state is JobState.SCHEDULED
    assert job_beat.nicos_status == 235
    assert job_beat.status.start_time is None
