import uuid

import numpy as np
import pytest

from livedash.backend.faults import FaultPlan
from livedash.backend.jobs import JobManager, JobRejectedError, ResetNotSupportedError
from livedash.protocol.ids import JobId, WorkflowId
from livedash.protocol.status import JobState

SECOND = 1_000_000_000
T0 = 1_763_712_000 * SECOND


def manager(dummy, service, faults=None):
    return JobManager(
        instrument=dummy,
        service_name=service,
        faults=faults or FaultPlan(),
        seed=np.random.SeedSequence(1),
    )


def job_id(source="panel_0"):
    return JobId(source_name=source, job_number=uuid.uuid4())


def schedule(jobs, dummy, name="panel_0_xy", source="panel_0", *, params=None, now=T0):
    spec = dummy.workflow(f"dummy/{name}/1")
    return jobs.schedule(spec, job_id=job_id(source), params=params or {}, now_ns=now)


def test_owns_only_workflows_of_its_service(dummy):
    jobs = manager(dummy, "detector_data")
    assert jobs.owned_spec(WorkflowId.parse("dummy/panel_0_xy/1")) is not None
    assert jobs.owned_spec(WorkflowId.parse("dummy/monitor_histogram/1")) is None


def test_other_instrument_and_unknown_workflow_are_not_owned(dummy):
    jobs = manager(dummy, "detector_data")
    assert jobs.owned_spec(WorkflowId.parse("loki/panel_0_xy/1")) is None
    assert jobs.owned_spec(WorkflowId.parse("dummy/nonexistent/1")) is None


def test_new_job_is_scheduled_without_times(dummy):
    job = schedule(manager(dummy, "detector_data"), dummy)
    status = job.status()
    assert status.state is JobState.SCHEDULED
    assert status.start_time is None
    assert status.end_time is None


def test_first_step_activates_and_fixes_start_time(dummy):
    job = schedule(manager(dummy, "detector_data"), dummy)
    job.step(T0 + SECOND)
    job.step(T0 + 2 * SECOND)
    assert job.state is JobState.ACTIVE
    assert job.start_time == T0
    assert job.end_time == T0 + 2 * SECOND


def test_outputs_are_named_by_title_with_time_coords(dummy):
    job = schedule(manager(dummy, "detector_data"), dummy)
    job.step(T0 + SECOND)
    out = job.step(T0 + 2 * SECOND)
    assert out["cumulative"].name == "Image"
    assert out["current"].name == "Image update"
    assert out["cumulative"].coords["start_time"].value == T0
    assert out["current"].coords["start_time"].value == T0 + SECOND
    assert out["current"].coords["time"].value == T0 + 2 * SECOND
    assert out["current"].coords["time"].dtype == "int64"
    assert out["current"].coords["time"].unit == "ns"


def test_series_outputs_get_no_scalar_time_coords(dummy):
    jobs = manager(dummy, "timeseries")
    job = schedule(jobs, dummy, "timeseries_data", "motion1")
    out = job.step(T0 + SECOND)
    assert "start_time" not in out["delta"].coords
    assert out["delta"].coords["time"].dims == ("time",)


def test_invalid_params_are_rejected_with_a_validation_message(dummy):
    jobs = manager(dummy, "detector_data")
    with pytest.raises(JobRejectedError, match=r"1 validation error for DetectorViewParams"):
        schedule(jobs, dummy, params={"toa_edges": {"num_bins": -1}})
    assert len(jobs) == 0


def test_extra_params_are_rejected_for_noparams(dummy):
    jobs = manager(dummy, "data_reduction")
    with pytest.raises(JobRejectedError, match="NoParams"):
        schedule(jobs, dummy, "total_counts", params={"unexpected": 1})


def test_unknown_source_is_rejected(dummy):
    with pytest.raises(JobRejectedError, match="not a source"):
        schedule(manager(dummy, "detector_data"), dummy, source="monitor1")


def test_rescheduling_a_job_id_replaces_the_job(dummy):
    jobs = manager(dummy, "detector_data")
    spec = dummy.workflow("dummy/panel_0_xy/1")
    jid = job_id()
    first = jobs.schedule(spec, job_id=jid, params={}, now_ns=T0)
    second = jobs.schedule(spec, job_id=jid, params={}, now_ns=T0)
    assert jobs.get(jid) is second
    assert second is not first
    assert len(jobs) == 1


def test_stop_removes_the_job(dummy):
    jobs = manager(dummy, "detector_data")
    job = schedule(jobs, dummy)
    jobs.stop(job.job_id)
    assert jobs.get(job.job_id) is None
    with pytest.raises(KeyError):
        jobs.stop(job.job_id)


def test_reset_clears_times_and_accumulation(dummy):
    jobs = manager(dummy, "detector_data")
    job = schedule(jobs, dummy)
    job.step(T0 + SECOND)
    jobs.reset(job.job_id, now_ns=T0 + 2 * SECOND)
    assert job.start_time is None
    out = job.step(T0 + 3 * SECOND)
    assert job.start_time == T0 + 2 * SECOND
    assert out["counts_total_cumulative"].value == out["counts_total"].value


def test_reset_of_timeseries_is_not_supported(dummy):
    jobs = manager(dummy, "timeseries")
    job = schedule(jobs, dummy, "timeseries_data", "motion1")
    with pytest.raises(ResetNotSupportedError, match="does not support reset"):
        jobs.reset(job.job_id, now_ns=T0)


def test_select_by_workflow(dummy):
    jobs = manager(dummy, "detector_data")
    xy = schedule(jobs, dummy)
    schedule(jobs, dummy, "area_panel_xy", "area_panel")
    assert jobs.select(WorkflowId.parse("dummy/panel_0_xy/1")) == [xy]
    assert len(jobs.select(None)) == 2


def test_failing_workflow_goes_to_error_and_emits_nothing(dummy):
    jobs = manager(dummy, "detector_data", FaultPlan(fail_workflows=frozenset({"panel_0_xy"})))
    job = schedule(jobs, dummy)
    assert job.step(T0 + SECOND) == {}
    assert job.state is JobState.ERROR
    assert job.error.startswith("Job failed to compute result.\n\nTraceback")


def test_warning_workflow_warns_and_keeps_emitting(dummy):
    jobs = manager(dummy, "detector_data", FaultPlan(warn_workflows=frozenset({"panel_0_xy"})))
    job = schedule(jobs, dummy)
    assert job.step(T0 + SECOND)
    assert job.state is JobState.WARNING
    assert job.warning.startswith("Job failed to process latest data.")


def test_reset_clears_the_error_of_a_failing_job(dummy):
    jobs = manager(dummy, "detector_data", FaultPlan(fail_workflows=frozenset({"panel_0_xy"})))
    job = schedule(jobs, dummy)
    job.step(T0 + SECOND)
    jobs.reset(job.job_id, now_ns=T0 + SECOND)
    assert job.error is None
    assert job.state is JobState.ACTIVE


def test_stopped_status_override_keeps_times(dummy):
    job = schedule(manager(dummy, "detector_data"), dummy)
    job.step(T0 + SECOND)
    status = job.status(state=JobState.STOPPED)
    assert status.state is JobState.STOPPED
    assert status.start_time == T0
