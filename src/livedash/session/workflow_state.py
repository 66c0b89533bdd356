"""What a workflow card shows: a display status derived from the current generation's jobs.

Pure policy, no state and no locks: :func:`summarize` turns the fresh job statuses of a
workflow's current generation into one :class:`WorkflowState` (PROTOCOL.md 5.3). The
worst job wins, ranked error > warning > pending_context > stopped > active (scheduled
and finishing count as active).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ..protocol.ids import JobId, WorkflowId
from ..protocol.status import JobState, JobStatus

WAITING_FOR_BACKEND = "Waiting for backend..."
BACKEND_SHUT_DOWN = "Backend shut down"


class WorkflowStatus(StrEnum):
    """The status a workflow card displays."""

    STOPPED = "stopped"
    PENDING = "pending"
    ACTIVE = "active"
    WARNING = "warning"
    ERROR = "error"
    WAITING_FOR_CONTEXT = "waiting_for_context"


# Lower index = worse; the worst job of the generation decides the card.
_RANKING = (
    WorkflowStatus.ERROR,
    WorkflowStatus.WARNING,
    WorkflowStatus.WAITING_FOR_CONTEXT,
    WorkflowStatus.STOPPED,
    WorkflowStatus.ACTIVE,
)

_STATUS_OF_JOB = {
    JobState.ERROR: WorkflowStatus.ERROR,
    JobState.WARNING: WorkflowStatus.WARNING,
    JobState.PENDING_CONTEXT: WorkflowStatus.WAITING_FOR_CONTEXT,
    JobState.STOPPED: WorkflowStatus.STOPPED,
    JobState.ACTIVE: WorkflowStatus.ACTIVE,
    JobState.SCHEDULED: WorkflowStatus.ACTIVE,
    JobState.FINISHING: WorkflowStatus.ACTIVE,
}


@dataclass(frozen=True)
class WorkflowState:
    """One workflow as this session sees it.

    ``job_number`` is the current generation (None when stopped); ``own`` says whether
    this session committed it (else it was adopted from the backend's heartbeats).
    ``jobs`` maps each source with a fresh heartbeat to its reported state.
    ``warnings``/``errors`` are ``"source: text"`` lines from the heartbeats.
    ``reason`` explains STOPPED or PENDING. ``started_at_ns`` is the earliest reported
    job start (ns since the epoch) and ``running_time_s`` the time since then when the
    state was computed. ``superseded_jobs`` are the fresh non-stopped jobs of other
    generations that still run in the backend (newest generation first), which the
    user may stop.
    """

    workflow_id: WorkflowId
    status: WorkflowStatus
    job_number: uuid.UUID | None = None
    own: bool = False
    jobs: Mapping[str, JobState] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    reason: str | None = None
    started_at_ns: int | None = None
    running_time_s: float | None = None
    superseded_jobs: tuple[JobId, ...] = ()

    @property
    def running(self) -> bool:
        """Whether the workflow has a current generation (anything but STOPPED)."""
        return self.job_number is not None and self.status is not WorkflowStatus.STOPPED


def stopped(
    workflow_id: WorkflowId, reason: str | None = None, *, superseded_jobs: tuple[JobId, ...] = ()
) -> WorkflowState:
    """The state of a workflow without a current generation."""
    return WorkflowState(
        workflow_id=workflow_id,
        status=WorkflowStatus.STOPPED,
        reason=reason,
        superseded_jobs=superseded_jobs,
    )


def summarize(
    workflow_id: WorkflowId,
    job_number: uuid.UUID,
    *,
    own: bool,
    statuses: list[JobStatus],
    now_ns: int,
    pending_reason: str = WAITING_FOR_BACKEND,
    superseded_jobs: tuple[JobId, ...] = (),
) -> WorkflowState:
    """The state of a workflow whose current generation is ``job_number``.

    ``statuses`` are the fresh heartbeats of that generation; with none, the workflow is
    PENDING for ``pending_reason``.
    """
    if not statuses:
        return WorkflowState(
            workflow_id=workflow_id,
            status=WorkflowStatus.PENDING,
            job_number=job_number,
            own=own,
            reason=pending_reason,
            superseded_jobs=superseded_jobs,
        )
    ordered = sorted(statuses, key=lambda s: s.job_id.source_name)
    worst = min((_STATUS_OF_JOB[s.state] for s in ordered), key=_RANKING.index)
    starts = [s.start_time for s in ordered if s.start_time is not None]
    started_at = min(starts) if starts else None
    return WorkflowState(
        workflow_id=workflow_id,
        status=worst,
        job_number=job_number,
        own=own,
        jobs={s.job_id.source_name: s.state for s in ordered},
        warnings=tuple(f"{s.job_id.source_name}: {s.warning}" for s in ordered if s.warning),
        errors=tuple(f"{s.job_id.source_name}: {s.error}" for s in ordered if s.error),
        started_at_ns=started_at,
        running_time_s=None if started_at is None else max(0.0, (now_ns - started_at) / 1e9),
        superseded_jobs=superseded_jobs,
    )
