"""The narrow interfaces the workflow controls need from the session stack.

:class:`JobsReader` is satisfied by :class:`~livedash.session.job_service.JobService`
and :class:`WorkflowCommands` by :class:`~livedash.session.job_orchestrator.JobOrchestrator`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ...protocol.ids import JobId, WorkflowId
from ...session.workflow_state import WorkflowState


class JobsReader(Protocol):
    """Per-workflow display state (including superseded jobs), pulled by version."""

    @property
    def version(self) -> int: ...

    def workflow_version(self, workflow_id: WorkflowId) -> int: ...

    def workflow_state(self, workflow_id: WorkflowId) -> WorkflowState: ...


class WorkflowCommands(Protocol):
    """Staging and the commands a workflow card sends."""

    def stage_params(
        self, workflow_id: WorkflowId, params: Mapping[str, Any]
    ) -> dict[str, Any]: ...

    def stage_sources(self, workflow_id: WorkflowId, sources: Sequence[str]) -> None: ...

    def params_for(self, workflow_id: WorkflowId) -> dict[str, Any]: ...

    def sources_for(self, workflow_id: WorkflowId) -> list[str]: ...

    def commit(self, workflow_id: WorkflowId) -> uuid.UUID: ...

    def stop(self, workflow_id: WorkflowId) -> str: ...

    def reset(self, workflow_id: WorkflowId) -> str: ...

    def stop_jobs(self, workflow_id: WorkflowId, job_ids: Sequence[JobId]) -> str: ...
