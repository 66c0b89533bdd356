from __future__ import annotations

import uuid

import pytest

from livedash.instruments import Instrument
from livedash.protocol.ids import JobId, WorkflowId
from livedash.protocol.status import JobState
from livedash.session.job_service import (
    STOPPED_BY_OTHER_SESSION,
    STOPPED_BY_OWN_COMMAND,
    STOPPED_BY_SESSION,
    JobService,
)
from livedash.session.workflow_state import BACKEND_SHUT_DOWN, WAITING_FOR_BACKEND, WorkflowStatus

from .fakes import MONITOR, PANEL, T0_NS, FakeClock, FakeWallClock, job_status


@pytest.fixture
def jobs(dummy: Instrument, clock: FakeClock, wall: FakeWallClock) -> JobService:
    return JobService(workflows=dummy.workflows, clock=clock, wall_ns=wall)


def test_workflow_without_generation_is_stopped(jobs: JobService) -> None:
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.STOPPED
    assert state.job_number is None


def test_fresh_heartbeat_of_unknown_generation_is_adopted(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.ACTIVE
    assert state.job_number == number
    assert not state.own


def test_newer_generation_supersedes_the_adopted_one(jobs: JobService) -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", old, start_time=T0_NS))
    jobs.on_job_status(job_status(PANEL, "panel_0", new, start_time=T0_NS + 10))
    assert jobs.current_job_number(PANEL) == new


def test_older_generation_does_not_replace_a_newer_one(jobs: JobService) -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", new, start_time=T0_NS + 10))
    jobs.on_job_status(job_status(PANEL, "panel_0", old, start_time=T0_NS))
    assert jobs.current_job_number(PANEL) == new


def test_replaced_generation_is_never_adopted_again(jobs: JobService) -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", old, start_time=T0_NS))
    jobs.on_job_status(job_status(PANEL, "panel_0", new, start_time=T0_NS + 10))
    jobs.on_stop(PANEL)
    jobs.on_job_status(job_status(PANEL, "panel_0", old, start_time=T0_NS))
    assert jobs.current_job_number(PANEL) is None


def test_stopped_heartbeat_of_unknown_generation_is_not_adopted(jobs: JobService) -> None:
    jobs.on_job_status(job_status(PANEL, "panel_0", uuid.uuid4(), JobState.STOPPED))
    assert jobs.current_job_number(PANEL) is None


def test_generation_without_start_time_is_not_adopted_yet(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number, JobState.SCHEDULED, start_time=None))
    assert jobs.current_job_number(PANEL) is None
    jobs.on_job_status(job_status(PANEL, "panel_0", number, start_time=T0_NS))
    assert jobs.current_job_number(PANEL) == number


def test_own_commit_is_current_at_once_and_pending(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_commit(PANEL, number, ["panel_0"])
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.PENDING
    assert state.reason == WAITING_FOR_BACKEND
    assert state.own
    assert state.job_number == number


def test_own_commit_becomes_active_with_its_first_heartbeat(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_commit(PANEL, number, ["panel_0"])
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    assert jobs.workflow_state(PANEL).status is WorkflowStatus.ACTIVE


def test_own_commit_retires_the_generation_it_replaces(jobs: JobService, clock: FakeClock) -> None:
    old, mine = uuid.uuid4(), uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", old, start_time=T0_NS))
    jobs.on_commit(PANEL, mine, ["panel_0"])
    clock.advance(31.0)
    # The old generation keeps heartbeating until the backend processes its stop; past
    # the grace period only retirement keeps it from coming back.
    jobs.on_job_status(job_status(PANEL, "panel_0", old, start_time=T0_NS))
    assert jobs.current_job_number(PANEL) == mine


def test_pending_own_commit_is_held_against_foreign_generation_during_grace(
    jobs: JobService, clock: FakeClock
) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    jobs.on_commit(PANEL, mine, ["panel_0"])
    clock.advance(5.0)
    jobs.on_job_status(job_status(PANEL, "panel_0", theirs, start_time=T0_NS))
    assert jobs.current_job_number(PANEL) == mine


def test_pending_own_commit_yields_to_foreign_generation_after_grace(
    jobs: JobService, clock: FakeClock
) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    jobs.on_commit(PANEL, mine, ["panel_0"])
    jobs.on_job_status(job_status(PANEL, "panel_0", theirs, start_time=T0_NS))
    clock.advance(30.0)
    jobs.prune()
    assert jobs.current_job_number(PANEL) == theirs


def test_concurrent_commits_converge_on_the_later_start_time(jobs: JobService) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    jobs.on_commit(PANEL, mine, ["panel_0"])
    jobs.on_job_status(job_status(PANEL, "panel_0", theirs, start_time=T0_NS + 5))
    jobs.on_job_status(job_status(PANEL, "panel_0", mine, start_time=T0_NS + 3))
    assert jobs.current_job_number(PANEL) == theirs


def test_job_status_goes_stale_after_60_s(jobs: JobService, clock: FakeClock) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    clock.advance(60.0)
    jobs.prune()
    assert jobs.current_job_number(PANEL) == number
    clock.advance(0.1)
    jobs.prune()
    assert jobs.stats()["jobs"] == 0
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.STOPPED
    assert state.reason == "No heartbeat from backend for 60 s"


def test_silent_generation_is_adopted_again_when_heartbeats_resume(
    jobs: JobService, clock: FakeClock
) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    clock.advance(61.0)
    jobs.prune()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    assert jobs.current_job_number(PANEL) == number


def test_own_pending_commit_survives_staleness_rules(jobs: JobService, clock: FakeClock) -> None:
    number = uuid.uuid4()
    jobs.on_commit(PANEL, number, ["panel_0"])
    clock.advance(120.0)
    jobs.prune()
    assert jobs.workflow_state(PANEL).status is WorkflowStatus.PENDING


def test_all_jobs_stopped_means_backend_shut_down(jobs: JobService) -> None:
    number = uuid.uuid4()
    for source in ("monitor1", "monitor2"):
        jobs.on_job_status(job_status(MONITOR, source, number))
    jobs.on_job_status(job_status(MONITOR, "monitor1", number, JobState.STOPPED))
    assert jobs.workflow_state(MONITOR).status is WorkflowStatus.STOPPED
    assert jobs.current_job_number(MONITOR) == number
    jobs.on_job_status(job_status(MONITOR, "monitor2", number, JobState.STOPPED))
    state = jobs.workflow_state(MONITOR)
    assert state.status is WorkflowStatus.STOPPED
    assert state.reason == BACKEND_SHUT_DOWN
    assert jobs.current_job_number(MONITOR) is None


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ((JobState.ACTIVE, JobState.ERROR), WorkflowStatus.ERROR),
        ((JobState.WARNING, JobState.ERROR), WorkflowStatus.ERROR),
        ((JobState.PENDING_CONTEXT, JobState.WARNING), WorkflowStatus.WARNING),
        ((JobState.STOPPED, JobState.PENDING_CONTEXT), WorkflowStatus.WAITING_FOR_CONTEXT),
        ((JobState.ACTIVE, JobState.STOPPED), WorkflowStatus.STOPPED),
        ((JobState.SCHEDULED, JobState.FINISHING), WorkflowStatus.ACTIVE),
    ],
)
def test_worst_job_decides_the_workflow_status(
    jobs: JobService, states: tuple[JobState, JobState], expected: WorkflowStatus
) -> None:
    number = uuid.uuid4()
    for source, state in zip(("monitor1", "monitor2"), states, strict=True):
        jobs.on_job_status(job_status(MONITOR, source, number, state, start_time=T0_NS))
    assert jobs.workflow_state(MONITOR).status is expected


def test_state_carries_texts_and_running_time(jobs: JobService, wall: FakeWallClock) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(
        job_status(MONITOR, "monitor1", number, JobState.WARNING, start_time=T0_NS, warning="odd")
    )
    jobs.on_job_status(
        job_status(MONITOR, "monitor2", number, JobState.ERROR, start_time=T0_NS, error="boom")
    )
    wall.now_ns = T0_NS + 90 * 10**9
    state = jobs.workflow_state(MONITOR)
    assert state.warnings == ("monitor1: odd",)
    assert state.errors == ("monitor2: boom",)
    assert state.running_time_s == pytest.approx(90.0)


def test_own_stop_clears_the_generation(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    jobs.on_stop(PANEL)
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.STOPPED
    assert state.reason == STOPPED_BY_SESSION


def test_current_job_ids_join_committed_and_heard_sources(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_commit(MONITOR, number, ["monitor1"])
    jobs.on_job_status(job_status(MONITOR, "monitor2", number))
    assert jobs.current_job_ids(MONITOR) == [
        JobId(source_name="monitor1", job_number=number),
        JobId(source_name="monitor2", job_number=number),
    ]


def test_unknown_workflow_heartbeat_is_ignored_and_counted(jobs: JobService) -> None:
    other = WorkflowId(instrument="other", name="x", version=1)
    assert not jobs.on_job_status(job_status(other, "s", uuid.uuid4()))
    assert jobs.stats()["ignored_unknown_workflow"] == 1


def test_version_bumps_on_change_only(jobs: JobService) -> None:
    status = job_status(PANEL, "panel_0", uuid.uuid4())
    jobs.on_job_status(status)
    version = jobs.version
    jobs.on_job_status(status)
    assert jobs.version == version
    jobs.on_job_status(status.model_copy(update={"state": JobState.WARNING}))
    assert jobs.version > version
    assert jobs.workflow_version(PANEL) == jobs.version


def test_acknowledged_foreign_stop_stops_the_workflow_at_once(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    version = jobs.workflow_version(PANEL)
    job_id = JobId(source_name="panel_0", job_number=number)
    assert jobs.on_stopped_by_command(job_id=job_id, own=False) == 1
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.STOPPED
    assert state.reason == STOPPED_BY_OTHER_SESSION
    assert jobs.current_job_number(PANEL) is None
    assert jobs.workflow_version(PANEL) > version


def test_acknowledged_own_stop_says_stopped(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    jobs.on_stopped_by_command(job_id=JobId(source_name="panel_0", job_number=number), own=True)
    assert jobs.workflow_state(PANEL).reason == STOPPED_BY_OWN_COMMAND


def test_stop_of_one_job_shows_the_generation_stopped_but_keeps_it(jobs: JobService) -> None:
    number = uuid.uuid4()
    for source in ("monitor1", "monitor2"):
        jobs.on_job_status(job_status(MONITOR, source, number))
    jobs.on_stopped_by_command(job_id=JobId(source_name="monitor1", job_number=number), own=False)
    state = jobs.workflow_state(MONITOR)
    assert state.status is WorkflowStatus.STOPPED
    assert state.jobs == {"monitor1": JobState.STOPPED, "monitor2": JobState.ACTIVE}
    assert jobs.current_job_number(MONITOR) == number


def test_heartbeat_right_after_an_inferred_stop_is_ignored(
    jobs: JobService, clock: FakeClock
) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    jobs.on_stopped_by_command(job_id=JobId(source_name="panel_0", job_number=number), own=False)
    clock.advance(0.5)
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    assert jobs.current_job_number(PANEL) is None
    assert jobs.stats()["held_after_stop"] == 1


def test_later_heartbeat_brings_back_a_job_the_backend_did_not_stop(
    jobs: JobService, clock: FakeClock
) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    jobs.on_stopped_by_command(job_id=JobId(source_name="panel_0", job_number=number), own=False)
    clock.advance(2.0)
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.ACTIVE
    assert state.job_number == number
    assert state.reason is None


def test_selector_stop_marks_every_generation_of_the_workflow(jobs: JobService) -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", old, start_time=T0_NS))
    jobs.on_job_status(job_status(PANEL, "panel_0", new, start_time=T0_NS + 10))
    jobs.on_job_status(job_status(MONITOR, "monitor1", uuid.uuid4()))
    assert jobs.on_stopped_by_command(workflow_id=PANEL, own=False) == 2
    assert jobs.workflow_state(PANEL).reason == STOPPED_BY_OTHER_SESSION
    assert jobs.superseded_jobs(PANEL) == []
    assert jobs.workflow_state(MONITOR).status is WorkflowStatus.ACTIVE


def test_stop_of_every_job_stops_every_workflow(jobs: JobService) -> None:
    jobs.on_job_status(job_status(PANEL, "panel_0", uuid.uuid4()))
    jobs.on_job_status(job_status(MONITOR, "monitor1", uuid.uuid4()))
    assert jobs.on_stopped_by_command(own=False) == 2
    assert jobs.running_workflow_count() == 0


def test_stop_reaches_an_own_generation_not_heard_from_yet(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_commit(PANEL, number, ["panel_0"])
    jobs.on_stopped_by_command(workflow_id=PANEL, own=False)
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.STOPPED
    assert state.reason == STOPPED_BY_OTHER_SESSION


def test_stop_of_an_unknown_job_changes_nothing(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    version = jobs.version
    stranger = JobId(source_name="panel_0", job_number=uuid.uuid4())
    assert jobs.on_stopped_by_command(job_id=stranger, own=False) == 0
    assert jobs.current_job_number(PANEL) == number
    assert jobs.version == version


def test_superseded_jobs_are_the_running_jobs_of_other_generations(jobs: JobService) -> None:
    oldest, older, current = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    jobs.on_job_status(job_status(MONITOR, "monitor1", oldest, start_time=T0_NS))
    jobs.on_job_status(job_status(MONITOR, "monitor2", older, start_time=T0_NS + 1))
    jobs.on_job_status(job_status(MONITOR, "monitor1", older, start_time=T0_NS + 1))
    jobs.on_job_status(job_status(MONITOR, "monitor1", current, start_time=T0_NS + 2))
    stopped = uuid.uuid4()
    jobs.on_job_status(job_status(MONITOR, "monitor1", stopped, JobState.STOPPED, start_time=1))
    expected = [
        JobId(source_name="monitor1", job_number=older),
        JobId(source_name="monitor2", job_number=older),
        JobId(source_name="monitor1", job_number=oldest),
    ]
    assert jobs.superseded_jobs(MONITOR) == expected
    assert list(jobs.superseded_generations(MONITOR)) == [older, oldest]
    assert jobs.workflow_state(MONITOR).superseded_jobs == tuple(expected)


def test_superseded_jobs_of_a_stopped_workflow_are_still_listed(jobs: JobService) -> None:
    number = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", number))
    jobs.on_stop(PANEL)
    state = jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.STOPPED
    assert state.superseded_jobs == (JobId(source_name="panel_0", job_number=number),)


def test_superseded_job_is_gone_once_its_stop_is_acknowledged(jobs: JobService) -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", old, start_time=T0_NS))
    jobs.on_job_status(job_status(PANEL, "panel_0", new, start_time=T0_NS + 10))
    [superseded] = jobs.superseded_jobs(PANEL)
    jobs.on_stopped_by_command(job_id=superseded, own=True)
    assert jobs.superseded_jobs(PANEL) == []
    assert jobs.current_job_number(PANEL) == new
