from __future__ import annotations

import uuid

import scipp as sc

from livedash.plots.subscription import LayerSubscription, data_key, role_job
from livedash.protocol.status import JobState
from livedash.session.workflow_state import WorkflowState, WorkflowStatus, stopped

from .factories import MONITOR, ref
from .fakes import FakeData

NUMBER = uuid.uuid4()


def state(**jobs: JobState) -> WorkflowState:
    return WorkflowState(
        workflow_id=MONITOR,
        status=WorkflowStatus.ACTIVE,
        job_number=NUMBER,
        jobs=jobs,
        errors=("monitor1: it broke\nbadly", "monitor2: other"),
    )


def test_stopped_workflow_has_no_running_job() -> None:
    assert role_job(stopped(MONITOR), "monitor1").job_number is None


def test_reported_source_runs_in_the_current_generation() -> None:
    assert role_job(state(monitor1=JobState.ACTIVE), "monitor1").job_number == NUMBER


def test_stopped_or_missing_source_does_not_run() -> None:
    current = state(monitor1=JobState.STOPPED, monitor2=JobState.ACTIVE)
    assert role_job(current, "monitor1").job_number is None
    assert role_job(state(monitor2=JobState.ACTIVE), "monitor1").job_number is None


def test_error_job_carries_only_its_own_lines() -> None:
    job = role_job(state(monitor1=JobState.ERROR), "monitor1")
    assert (job.job_number, job.error) == (NUMBER, "it broke\nbadly")


def test_subscription_accepts_only_its_generation() -> None:
    key = data_key(ref(MONITOR, "monitor1", "current"))
    data = FakeData()
    subscription = LayerSubscription(
        layer_id=uuid.uuid4(), keys={"primary": key}, generations={"primary": NUMBER}
    )
    assert subscription.results(data) is None
    data.put(key, sc.DataArray(sc.scalar(1.0)), uuid.uuid4())
    assert subscription.results(data) is None
    data.put(key, sc.DataArray(sc.scalar(2.0)), NUMBER)
    results = subscription.results(data)
    assert results is not None
    assert results["primary"].job_number == NUMBER
    assert subscription.versions(data) == {"primary": data.version}
