"""What one layer needs from the session: a data key per role, bound to job generations.

A :class:`LayerSubscription` is made for the generations (job numbers) of its roles'
workflows when they all run; it accepts cached results of exactly those generations,
so a result of the previous generation still in the cache right after a restart is
not shown. When a workflow restarts, the orchestrator drops the subscription and makes
a new one for the new generation.

:func:`role_job` reads, from a workflow's display state, whether the job of one source
runs and whether it reports an error (:func:`role_jobs`: for every role of a layer);
:func:`target_state` turns the roles' jobs and the layer's plot into the state the
layer should be in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..protocol.ids import WorkflowId
from ..protocol.status import JobState
from ..session.data_service import CachedResult, DataKey
from ..session.workflow_state import WorkflowState
from .layer_state import LayerState
from .model import DataRef, LayerConfig


class CacheReader(Protocol):
    """What a subscription reads from the session's data cache."""

    def get(self, key: DataKey) -> CachedResult | None: ...

    def version_of(self, key: DataKey) -> int: ...


class DataView(CacheReader, Protocol):
    """What the plot orchestrator uses of the session's data cache (``DataService``)."""

    def interest(self, keys: Iterable[DataKey] | None) -> None: ...


class JobsView(Protocol):
    """What the plot orchestrator reads from the session's job service (``JobService``)."""

    def workflow_state(self, workflow_id: WorkflowId) -> WorkflowState: ...


def data_key(ref: DataRef) -> DataKey:
    """The data cache key of ``ref``."""
    return DataKey(ref.workflow_id, ref.source_name, ref.output_name)


def layer_keys(layer: LayerConfig) -> dict[str, DataKey]:
    """The data cache key of every role of ``layer``."""
    return {role: data_key(ref) for role, ref in layer.roles.items()}


@dataclass(frozen=True)
class RoleJob:
    """One role's job: its generation (None when not running) and its error text."""

    job_number: uuid.UUID | None
    error: str | None = None


def role_job(state: WorkflowState, source_name: str) -> RoleJob:
    """Whether the job of ``source_name`` in ``state``'s current generation runs.

    It runs if the generation reports it in a non-stopped state, or if the generation
    has no heartbeat at all yet (just committed: the job is expected). An ``error``
    job runs (its workflow was not stopped) and carries its error lines.
    """
    if not state.running or state.job_number is None:
        return RoleJob(None)
    if not state.jobs:
        return RoleJob(state.job_number)
    job_state = state.jobs.get(source_name)
    if job_state is None or job_state is JobState.STOPPED:
        return RoleJob(None)
    if job_state is JobState.ERROR:
        prefix = f"{source_name}: "
        lines = [line.removeprefix(prefix) for line in state.errors if line.startswith(prefix)]
        return RoleJob(state.job_number, "\n".join(lines) or "The backend reports an error")
    return RoleJob(state.job_number)


def role_jobs(
    jobs: JobsView, layer: LayerConfig, states: dict[WorkflowId, WorkflowState | None]
) -> dict[str, RoleJob]:
    """The job of every role of ``layer``; ``states`` caches workflow states (None: the
    job service does not know the workflow) across the layers of one evaluation."""
    found: dict[str, RoleJob] = {}
    for role, ref in layer.roles.items():
        if ref.workflow_id not in states:
            try:
                states[ref.workflow_id] = jobs.workflow_state(ref.workflow_id)
            except KeyError:
                states[ref.workflow_id] = None
        state = states[ref.workflow_id]
        found[role] = (
            RoleJob(None, f"Unknown workflow {ref.workflow_id}")
            if state is None
            else role_job(state, ref.source_name)
        )
    return found


def target_state(
    jobs: Sequence[RoleJob], *, has_plot: bool, plot_error: str | None
) -> tuple[LayerState, str | None]:
    """The state (and error text) of a layer whose roles' jobs are ``jobs``.

    A job error wins; then a layer whose roles do not all run keeps its plot as STOPPED
    or waits for its jobs; a running layer whose data cannot be plotted is in ERROR;
    otherwise it is READY with a plot and WAITING_FOR_DATA without.
    """
    errors = [job.error for job in jobs if job.error]
    if errors:
        return LayerState.ERROR, "\n".join(errors)
    if not all(job.job_number is not None for job in jobs):
        return (LayerState.STOPPED if has_plot else LayerState.WAITING_FOR_JOB), None
    if plot_error is not None:
        return LayerState.ERROR, plot_error
    return (LayerState.READY if has_plot else LayerState.WAITING_FOR_DATA), None


@dataclass(frozen=True)
class LayerSubscription:
    """The keys of one layer, accepting results of one generation per role."""

    layer_id: uuid.UUID
    keys: Mapping[str, DataKey]
    generations: Mapping[str, uuid.UUID]

    @property
    def workflows(self) -> set[WorkflowId]:
        return {key.workflow_id for key in self.keys.values()}

    def versions(self, cache: CacheReader) -> dict[str, int]:
        """The cache's current version of every role's key (cheap change detection)."""
        return {role: cache.version_of(key) for role, key in self.keys.items()}

    def results(self, cache: CacheReader) -> dict[str, CachedResult] | None:
        """Every role's cached result of its subscribed generation, or None if any is
        missing (not yet arrived, cleared by a reset, or of another generation)."""
        found: dict[str, CachedResult] = {}
        for role, key in self.keys.items():
            result = cache.get(key)
            if result is None or result.job_number != self.generations.get(role):
                return None
            found[role] = result
        return found
