"""What one session knows about every job of its instrument's workflows.

Per workflow, the latest :class:`JobStatus` of each job with its local receipt time, and
whether that status is a ``stopped`` inferred from an acknowledged stop command rather
than heard from the backend (the backend sends no heartbeat for a job stopped by
command, PROTOCOL.md 5.2). The generation policy lives in
:class:`~livedash.session.job_service.JobService`, which owns one table.

Not thread-safe: the owning job service calls it only while holding its own lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from ..protocol.ids import JobId, WorkflowId
from ..protocol.status import JobState, JobStatus


@dataclass
class SeenJob:
    """The latest status of one job; ``stopped_by`` is the reason of an inferred stop."""

    status: JobStatus
    received_at: float
    stopped_by: str | None = None


def start_key(statuses: Iterable[JobStatus]) -> int | None:
    """The start of a generation: the earliest start time among its jobs (None: unknown)."""
    starts = [s.start_time for s in statuses if s.start_time is not None]
    return min(starts) if starts else None


class JobTable:
    """Job statuses per workflow, with receipt times and inferred stops."""

    def __init__(
        self, workflows: Iterable[WorkflowId], *, stale_after_s: float, stop_hold_s: float
    ) -> None:
        self._jobs: dict[WorkflowId, dict[JobId, SeenJob]] = {w: {} for w in workflows}
        self._stale_after_s = stale_after_s
        self._stop_hold_s = stop_hold_s

    def __contains__(self, workflow_id: object) -> bool:
        return workflow_id in self._jobs

    def __len__(self) -> int:
        """How many jobs are recorded, over all workflows."""
        return sum(len(jobs) for jobs in self._jobs.values())

    def record(self, status: JobStatus, now: float) -> bool:
        """Store a heartbeat of a known workflow; whether it changed what is recorded."""
        jobs = self._jobs[status.workflow_id]
        previous = jobs.get(status.job_id)
        jobs[status.job_id] = SeenJob(status=status, received_at=now)
        return previous is None or previous.status != status or previous.stopped_by is not None

    def on_hold(self, status: JobStatus, now: float) -> bool:
        """Whether ``status`` is a non-stopped heartbeat within the hold after an inferred stop.

        Such a heartbeat may have been sent before the stop and delivered after its
        acknowledgement (Kafka orders messages per partition, not across topics).
        """
        previous = self._jobs[status.workflow_id].get(status.job_id)
        return (
            previous is not None
            and previous.stopped_by is not None
            and status.state is not JobState.STOPPED
            and now - previous.received_at < self._stop_hold_s
        )

    def mark_stopped(self, workflow_id: WorkflowId, job_id: JobId, reason: str, now: float) -> None:
        """Record an inferred stop of ``job_id`` (a job not heard from yet gets a status)."""
        jobs = self._jobs[workflow_id]
        previous = jobs.get(job_id)
        if previous is not None and previous.stopped_by is not None:
            return  # already marked: the hold keeps running from the first mark
        if previous is None:
            status = JobStatus(job_id=job_id, workflow_id=workflow_id, state=JobState.STOPPED)
        else:
            status = previous.status.model_copy(
                update={"state": JobState.STOPPED, "warning": None, "error": None}
            )
        jobs[job_id] = SeenJob(status=status, received_at=now, stopped_by=reason)

    def prune(self, workflow_id: WorkflowId, now: float) -> bool:
        """Drop the statuses older than ``stale_after_s``; whether any was dropped."""
        jobs = self._jobs[workflow_id]
        stale = [j for j, seen in jobs.items() if now - seen.received_at > self._stale_after_s]
        for job_id in stale:
            del jobs[job_id]
        return bool(stale)

    def job_ids(self, workflow_id: WorkflowId) -> set[JobId]:
        return set(self._jobs[workflow_id])

    def statuses_of(self, workflow_id: WorkflowId, number: uuid.UUID) -> list[JobStatus]:
        return [
            seen.status
            for job_id, seen in self._jobs[workflow_id].items()
            if job_id.job_number == number
        ]

    def by_number(self, workflow_id: WorkflowId) -> dict[uuid.UUID, list[JobStatus]]:
        """The statuses of ``workflow_id`` grouped by generation."""
        grouped: dict[uuid.UUID, list[JobStatus]] = {}
        for job_id, seen in self._jobs[workflow_id].items():
            grouped.setdefault(job_id.job_number, []).append(seen.status)
        return grouped

    def stop_reason(self, workflow_id: WorkflowId, number: uuid.UUID) -> str | None:
        """The reason of an inferred stop of any job of generation ``number``, if any."""
        return next(
            (
                seen.stopped_by
                for job_id, seen in self._jobs[workflow_id].items()
                if job_id.job_number == number and seen.stopped_by is not None
            ),
            None,
        )

    def running_elsewhere(
        self, workflow_id: WorkflowId, current: uuid.UUID | None, now: float
    ) -> dict[uuid.UUID, list[JobId]]:
        """Fresh non-stopped jobs of every generation but ``current``, newest first."""
        running: dict[uuid.UUID, list[JobStatus]] = {}
        for job_id, seen in self._jobs[workflow_id].items():
            if (
                job_id.job_number != current
                and seen.status.state is not JobState.STOPPED
                and now - seen.received_at <= self._stale_after_s
            ):
                running.setdefault(job_id.job_number, []).append(seen.status)
        newest_first = sorted(
            running, key=lambda n: (start_key(running[n]) or 0, str(n)), reverse=True
        )
        return {
            number: sorted((s.job_id for s in running[number]), key=lambda j: j.source_name)
            for number in newest_first
        }
