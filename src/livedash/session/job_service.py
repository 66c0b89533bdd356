"""Per-workflow job state from the backend's job heartbeats, and generation adoption.

The backend's heartbeats are the single source of truth (PROTOCOL.md 12.3). Per workflow
of the instrument this service keeps the latest :class:`JobStatus` of every job with its
receipt time (a :class:`~livedash.session.job_table.JobTable`), and decides the
workflow's *current generation* (a ``job_number``):

- A commit by this session makes its job_number current at once (``on_commit``); it is
  PENDING until its first heartbeat. The generation it replaces is *retired*.
- Otherwise the current generation is the newest non-stopped generation among the fresh
  heartbeats, whoever started it: newest means the latest ``start_time`` (the earliest
  start among its jobs), ties broken by job_number, so every session picks the same one.
  When a newer generation appears, the current one is retired and every session follows.
- A generation whose start time is not yet known (no heartbeat, or only ``scheduled``
  with ``start_time`` null) is not adopted yet. This session's own such generation is
  not superseded for ``own_grace_s`` after the commit, so two sessions committing at
  the same moment both wait for the backend's start times before one of them yields.
- A retired generation (replaced, stopped by this session, or shut down) is never
  adopted again, so the heartbeats an old generation sends until the backend processes
  its stop cannot bring it back.
- If every fresh heartbeat of the current generation says ``stopped``, the workflow
  stops with the reason "Backend shut down". If a generation that had heartbeats falls
  silent for ``stale_after_s`` (60 s), it is dropped without being retired, so it is
  adopted again if its heartbeats resume.
- The backend sends no heartbeat for a job stopped by command, the job just disappears
  (PROTOCOL.md 5.2). So when the backend acknowledges a stop, whoever sent it
  (:meth:`on_stopped_by_command`, called by the command observer), its jobs are marked
  ``stopped`` at once. When that leaves every job of the current generation stopped,
  the workflow stops with the reason "Stopped by another session" ("Stopped" for this
  session's own command), and the generation is dropped without being retired: if the
  backend did not stop it after all, its next non-stopped heartbeat brings it back.
  Non-stopped heartbeats of a marked job are ignored for ``stop_hold_s`` (1 s) after
  the mark, because one sent before the stop may be delivered after its
  acknowledgement (Kafka orders messages per partition, not across topics).
- :meth:`superseded_jobs` lists the fresh non-stopped jobs of every other generation
  than the current one: old generations still running (for example started by a
  session that no longer exists), which only an explicit user action stops.

Job statuses older than ``stale_after_s`` are pruned by :meth:`prune`, which also
applies the time-based rules above; the pump calls it periodically.

Concurrency: the pump thread calls :meth:`on_job_status`, :meth:`on_stopped_by_command`
and :meth:`prune`; the UI
thread calls :meth:`on_commit`/:meth:`on_stop` (through the orchestrator) and the
readers. One lock guards all fields; no method calls out while holding it. Every change
bumps :attr:`version` and the workflow's :meth:`workflow_version`; readers pull by
version. ``running_time_s`` of a state is computed when it is read, not versioned.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..protocol.ids import JobId, WorkflowId
from ..protocol.status import JobState, JobStatus
from .job_table import JobTable, start_key
from .workflow_state import BACKEND_SHUT_DOWN, WorkflowState, stopped, summarize

JOB_STALE_AFTER_S = 60.0
OWN_GENERATION_GRACE_S = 30.0
STOP_HOLD_S = 1.0
STOPPED_BY_SESSION = "Stopped by this session"
STOPPED_BY_OWN_COMMAND = "Stopped"
STOPPED_BY_OTHER_SESSION = "Stopped by another session"
_RETIRED_PER_WORKFLOW = 32


@dataclass
class _Generation:
    job_number: uuid.UUID
    own: bool
    sources: frozenset[str]
    committed_at: float | None = None
    confirmed: bool = False


def no_heartbeat_reason(stale_after_s: float) -> str:
    """The reason shown when a running generation fell silent."""
    return f"No heartbeat from backend for {stale_after_s:g} s"


class JobService:
    """Job heartbeats -> per-workflow :class:`WorkflowState` (see the module docstring)."""

    def __init__(
        self,
        *,
        workflows: Iterable[WorkflowId],
        clock: Callable[[], float] = time.monotonic,
        wall_ns: Callable[[], int] = time.time_ns,
        stale_after_s: float = JOB_STALE_AFTER_S,
        own_grace_s: float = OWN_GENERATION_GRACE_S,
        stop_hold_s: float = STOP_HOLD_S,
    ) -> None:
        self._known = tuple(workflows)
        self._clock = clock
        self._wall_ns = wall_ns
        self._stale_after_s = stale_after_s
        self._own_grace_s = own_grace_s
        self._lock = threading.Lock()
        self._table = JobTable(self._known, stale_after_s=stale_after_s, stop_hold_s=stop_hold_s)
        self._current: dict[WorkflowId, _Generation] = {}
        self._retired = {w: deque[uuid.UUID](maxlen=_RETIRED_PER_WORKFLOW) for w in self._known}
        self._own_numbers: dict[WorkflowId, uuid.UUID] = {}
        self._reasons: dict[WorkflowId, str | None] = {}
        self._versions = dict.fromkeys(self._known, 0)
        self._version = 0
        self._ignored = 0
        self._held = 0

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    def workflow_version(self, workflow_id: WorkflowId) -> int:
        with self._lock:
            return self._versions[self._check(workflow_id)]

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "jobs": len(self._table),
                "ignored_unknown_workflow": self._ignored,
                "held_after_stop": self._held,
            }

    def on_job_status(self, status: JobStatus) -> bool:
        """Record one job heartbeat; False (and counted) if its workflow is unknown."""
        workflow_id = status.workflow_id
        now = self._clock()
        with self._lock:
            if workflow_id not in self._table:
                self._ignored += 1
                return False
            if self._table.on_hold(status, now):
                self._held += 1
                return True
            changed = self._table.record(status, now)
            if self._reselect(workflow_id, now) or changed:
                self._bump(workflow_id)
        return True

    def on_commit(
        self, workflow_id: WorkflowId, job_number: uuid.UUID, sources: Iterable[str]
    ) -> None:
        """This session committed ``job_number``: it becomes current at once (PENDING)."""
        now = self._clock()
        with self._lock:
            self._check(workflow_id)
            self._retire_current(workflow_id)
            self._current[workflow_id] = _Generation(
                job_number=job_number, own=True, sources=frozenset(sources), committed_at=now
            )
            self._own_numbers[workflow_id] = job_number
            self._reasons[workflow_id] = None
            self._reselect(workflow_id, now)
            self._bump(workflow_id)

    def on_stop(self, workflow_id: WorkflowId) -> None:
        """This session stopped the current generation: it is retired at once."""
        now = self._clock()
        with self._lock:
            self._check(workflow_id)
            if self._retire_current(workflow_id):
                self._reasons[workflow_id] = STOPPED_BY_SESSION
            self._reselect(workflow_id, now)
            self._bump(workflow_id)

    def on_stopped_by_command(
        self, *, job_id: JobId | None = None, workflow_id: WorkflowId | None = None, own: bool
    ) -> int:
        """The backend acknowledged a stop: mark its jobs stopped now; how many were marked.

        The target is read as in a :class:`JobCommand`: ``job_id`` (in whichever workflow
        has it), else every known job of ``workflow_id``, else every known job. Known jobs
        are those with a fresh status plus the committed sources of the current
        generation. ``own`` says whether this session sent the command (the reason shown).
        """
        reason = STOPPED_BY_OWN_COMMAND if own else STOPPED_BY_OTHER_SESSION
        if job_id is None and workflow_id is not None:
            workflows = [workflow_id] if workflow_id in self._versions else []
        else:
            workflows = list(self._known)
        now = self._clock()
        marked = 0
        with self._lock:
            for wid in workflows:
                targets = [t for t in self._known_jobs(wid) if job_id is None or t == job_id]
                for target in targets:
                    self._table.mark_stopped(wid, target, reason, now)
                if targets:
                    marked += len(targets)
                    self._reselect(wid, now)
                    self._bump(wid)
        return marked

    def prune(self) -> None:
        """Drop job statuses older than ``stale_after_s`` and apply the time-based rules."""
        now = self._clock()
        with self._lock:
            for workflow_id in self._known:
                pruned = self._table.prune(workflow_id, now)
                if self._reselect(workflow_id, now) or pruned:
                    self._bump(workflow_id)

    def workflow_state(self, workflow_id: WorkflowId) -> WorkflowState:
        """The display state of ``workflow_id`` (KeyError if not of this instrument)."""
        now = self._clock()
        with self._lock:
            self._check(workflow_id)
            superseded = tuple(self._superseded_jobs(workflow_id, now))
            generation = self._current.get(workflow_id)
            if generation is None:
                reason = self._reasons.get(workflow_id)
                return stopped(workflow_id, reason, superseded_jobs=superseded)
            statuses = self._table.statuses_of(workflow_id, generation.job_number)
        return summarize(
            workflow_id,
            generation.job_number,
            own=generation.own,
            statuses=statuses,
            now_ns=self._wall_ns(),
            superseded_jobs=superseded,
        )

    def current_job_number(self, workflow_id: WorkflowId) -> uuid.UUID | None:
        with self._lock:
            generation = self._current.get(workflow_id)
            return None if generation is None else generation.job_number

    def is_current(self, workflow_id: WorkflowId, job_number: uuid.UUID) -> bool:
        """Whether ``job_number`` is the current generation of ``workflow_id``."""
        with self._lock:
            generation = self._current.get(workflow_id)
            return generation is not None and generation.job_number == job_number

    def generations(self) -> dict[WorkflowId, uuid.UUID | None]:
        """The current job_number of every workflow (None when stopped)."""
        with self._lock:
            return {w: getattr(self._current.get(w), "job_number", None) for w in self._known}

    def current_job_ids(self, workflow_id: WorkflowId) -> list[JobId]:
        """The jobs of the current generation: committed sources plus those heard from."""
        with self._lock:
            self._check(workflow_id)
            generation = self._current.get(workflow_id)
            if generation is None:
                return []
            number = generation.job_number
            sources = set(generation.sources)
            statuses = self._table.statuses_of(workflow_id, number)
            sources.update(s.job_id.source_name for s in statuses)
        return [JobId(source_name=source, job_number=number) for source in sorted(sources)]

    def superseded_generations(self, workflow_id: WorkflowId) -> dict[uuid.UUID, list[JobId]]:
        """Every generation but the current one that has fresh non-stopped jobs.

        Newest generation (latest start time) first, each with its running jobs by
        source name. They keep running in the backend until someone stops them
        (:meth:`JobOrchestrator.stop_jobs`).
        """
        now = self._clock()
        with self._lock:
            self._check(workflow_id)
            return self._table.running_elsewhere(
                workflow_id, self._current_number(workflow_id), now
            )

    def superseded_jobs(self, workflow_id: WorkflowId) -> list[JobId]:
        """The jobs of :meth:`superseded_generations`, in the same order, in one list."""
        now = self._clock()
        with self._lock:
            self._check(workflow_id)
            return self._superseded_jobs(workflow_id, now)

    def running_workflow_count(self) -> int:
        """How many workflows have a current generation."""
        with self._lock:
            return len(self._current)

    def _check(self, workflow_id: WorkflowId) -> WorkflowId:
        if workflow_id not in self._versions:
            raise KeyError(f"workflow {workflow_id} is not a workflow of this instrument")
        return workflow_id

    def _current_number(self, workflow_id: WorkflowId) -> uuid.UUID | None:
        generation = self._current.get(workflow_id)
        return None if generation is None else generation.job_number

    def _superseded_jobs(self, workflow_id: WorkflowId, now: float) -> list[JobId]:
        running = self._table.running_elsewhere(workflow_id, self._current_number(workflow_id), now)
        return [job_id for jobs in running.values() for job_id in jobs]

    def _known_jobs(self, workflow_id: WorkflowId) -> list[JobId]:
        known = self._table.job_ids(workflow_id)
        generation = self._current.get(workflow_id)
        if generation is not None:
            number = generation.job_number
            known.update(JobId(source_name=s, job_number=number) for s in generation.sources)
        return sorted(known, key=str)

    def _bump(self, workflow_id: WorkflowId) -> None:
        self._version += 1
        self._versions[workflow_id] = self._version

    def _retire_current(self, workflow_id: WorkflowId) -> bool:
        generation = self._current.pop(workflow_id, None)
        if generation is None:
            return False
        self._retired[workflow_id].append(generation.job_number)
        return True

    def _reselect(self, workflow_id: WorkflowId, now: float) -> bool:
        """Apply the generation rules to ``workflow_id``; True if anything changed."""
        by_number = self._table.by_number(workflow_id)
        changed = self._check_current(workflow_id, by_number)
        generation = self._current.get(workflow_id)
        current_number = None if generation is None else generation.job_number
        retired = self._retired[workflow_id]
        candidates = [
            (key, str(number), number)
            for number, statuses in by_number.items()
            if number != current_number
            and number not in retired
            and any(s.state is not JobState.STOPPED for s in statuses)
            and (key := start_key(statuses)) is not None
        ]
        if not candidates:
            return changed
        key, tie, number = max(candidates)
        if generation is not None:
            held = start_key(by_number.get(generation.job_number, []))
            if held is None:
                in_grace = (
                    generation.own
                    and generation.committed_at is not None
                    and now - generation.committed_at < self._own_grace_s
                )
                if in_grace:
                    return changed
            elif (key, tie) <= (held, str(generation.job_number)):
                return changed
            self._retire_current(workflow_id)
        self._current[workflow_id] = _Generation(
            job_number=number,
            own=self._own_numbers.get(workflow_id) == number,
            sources=frozenset(),
            confirmed=True,
        )
        self._reasons[workflow_id] = None
        return True

    def _check_current(
        self, workflow_id: WorkflowId, by_number: dict[uuid.UUID, list[JobStatus]]
    ) -> bool:
        generation = self._current.get(workflow_id)
        if generation is None:
            return False
        statuses = by_number.get(generation.job_number, [])
        if statuses and all(s.state is JobState.STOPPED for s in statuses):
            reason = self._table.stop_reason(workflow_id, generation.job_number)
            if reason is None:
                self._retire_current(workflow_id)
                reason = BACKEND_SHUT_DOWN
            else:
                # Not retired: if the backend did not stop it after all, it comes back.
                del self._current[workflow_id]
            self._reasons[workflow_id] = reason
            return True
        if not statuses and generation.confirmed:
            del self._current[workflow_id]
            self._reasons[workflow_id] = no_heartbeat_reason(self._stale_after_s)
            return True
        if statuses and not generation.confirmed:
            generation.confirmed = True
            return True
        return False
