"""A fake job service and data cache for the plot orchestrator tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import scipp as sc

from livedash.protocol.ids import WorkflowId
from livedash.protocol.status import JobState
from livedash.session.data_service import CachedResult, DataKey
from livedash.session.workflow_state import WorkflowState, WorkflowStatus, stopped


class FakeJobs:
    """Per-workflow display states, set by the test; unknown workflows raise KeyError."""

    def __init__(self, *workflows: WorkflowId) -> None:
        self.states = {w: stopped(w) for w in workflows}

    def workflow_state(self, workflow_id: WorkflowId) -> WorkflowState:
        return self.states[workflow_id]

    def current_job_number(self, workflow_id: WorkflowId) -> uuid.UUID | None:
        return self.states[workflow_id].job_number

    def start(self, workflow_id: WorkflowId, *sources: str) -> uuid.UUID:
        number = uuid.uuid4()
        self.states[workflow_id] = WorkflowState(
            workflow_id=workflow_id,
            status=WorkflowStatus.ACTIVE,
            job_number=number,
            jobs=dict.fromkeys(sources, JobState.ACTIVE),
        )
        return number

    def pending(self, workflow_id: WorkflowId) -> uuid.UUID:
        number = uuid.uuid4()
        self.states[workflow_id] = WorkflowState(
            workflow_id=workflow_id, status=WorkflowStatus.PENDING, job_number=number
        )
        return number

    def stop(self, workflow_id: WorkflowId) -> None:
        self.states[workflow_id] = stopped(workflow_id, "Stopped")

    def set_job(
        self, workflow_id: WorkflowId, source: str, state: JobState, error: str = ""
    ) -> None:
        current = self.states[workflow_id]
        jobs = {**current.jobs, source: state}
        errors = (f"{source}: {error}",) if error else ()
        status = WorkflowStatus.ERROR if state is JobState.ERROR else WorkflowStatus.ACTIVE
        self.states[workflow_id] = WorkflowState(
            workflow_id=workflow_id,
            status=status,
            job_number=current.job_number,
            jobs=jobs,
            errors=errors,
        )


class FakeData:
    """The data cache as the orchestrator sees it: entries with versions, and interest."""

    def __init__(self) -> None:
        self.entries: dict[DataKey, CachedResult] = {}
        self.versions: dict[DataKey, int] = {}
        self.version = 0
        self.interest_calls: list[frozenset[DataKey] | None] = []

    def put(self, key: DataKey, data: sc.DataArray, job_number: uuid.UUID) -> None:
        self.version += 1
        self.entries[key] = CachedResult(
            key=key,
            job_number=job_number,
            data=data,
            timestamp_ns=0,
            received_at=0.0,
            version=self.version,
            nbytes=0,
        )
        self.versions[key] = self.version

    def clear(self, key: DataKey) -> None:
        self.version += 1
        self.entries.pop(key, None)
        self.versions[key] = self.version

    def get(self, key: DataKey) -> CachedResult | None:
        return self.entries.get(key)

    def version_of(self, key: DataKey) -> int:
        return self.versions.get(key, 0)

    def interest(self, keys: Iterable[DataKey] | None) -> None:
        self.interest_calls.append(None if keys is None else frozenset(keys))

    @property
    def interested(self) -> frozenset[DataKey] | None:
        return self.interest_calls[-1] if self.interest_calls else frozenset()
