"""Stage workflow params and sources, and send this session's commands (PROTOCOL.md 3).

- :meth:`JobOrchestrator.commit` sends ONE producer batch (one flush): a fire-and-forget
  ``stop`` (own message_id each) for every job *this session* committed earlier for the
  workflow, then one ``WorkflowConfig`` per staged source, all sharing one message_id and
  one new job_number (uuid4), with ``aux_source_names`` from the spec's defaults, a null
  schedule and the full params payload. The message_id is registered as pending with
  ``expected_count`` = number of sources, and the new generation becomes current at once.
- :meth:`stop` / :meth:`reset` send one ``JobCommand`` per job of the current generation
  (whoever started it: this is an explicit user action), sharing one message_id with
  ``expected_count`` = number of jobs. ``reset`` is refused when the spec has
  ``supports_reset = False``.
- :meth:`stop_jobs` sends one ``stop`` per given job, sharing one message_id with
  ``expected_count`` = number of jobs: an explicit user action, for example for
  superseded generations that a session which no longer exists left running
  (:meth:`JobService.superseded_jobs`). The workflow state follows the backend's
  acknowledgement (through the command observer), not the sending.
- :meth:`stop_superseded` (pump tick) stops, once, this session's own jobs of a
  workflow whose current generation is now someone else's newer one, so a replaced
  generation does not keep running in the backend while its owner is alive.

Never sent: a repeated start, or a stop to a job this session did not commit except by
an explicit :meth:`stop` or :meth:`stop_jobs`. Last-used params and sources are
remembered per workflow and, given a ``params_store`` (the session's configuration
store), published on commit as the shared ``workflow_params/<inst/name/ver>`` document
(:mod:`~livedash.session.workflow_params`); :meth:`params_for` and :meth:`sources_for`
fall back to them. Every command is passed to ``on_sent`` just before it is queued,
so the command observer can tell this session's commands from other clients'.

Concurrency: the UI thread calls the staging methods, :meth:`commit`, :meth:`stop`,
:meth:`stop_jobs` and :meth:`reset`; the pump thread calls :meth:`stop_superseded`. One
lock guards the staged and last-used params, the staged sources, the own jobs and the
closed flag; it is held while the job service and pending table are updated and
messages are queued (lock order: orchestrator -> job service / pending commands /
``on_sent``, which never call back), and released before the flush, which may wait.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import structlog

from ..instruments import Instrument, WorkflowSpec
from ..kafka.transport import MessageSink
from ..protocol.commands import JobAction, JobCommand, Schedule, WorkflowConfig, encode_command
from ..protocol.ids import JobId, WorkflowId
from .errors import (
    InvalidParamsError,
    InvalidSourcesError,
    ResetNotSupportedError,
    SessionClosedError,
    WorkflowNotRunningError,
)
from .job_service import JobService
from .pending_commands import PendingCommands
from .workflow_params import LastUsedParams, ParamsDocuments

logger = structlog.get_logger(__name__)

FLUSH_TIMEOUT_S = 1.0


class JobOrchestrator:
    """This session's command writer (see the module docstring)."""

    def __init__(
        self,
        *,
        instrument: Instrument,
        job_service: JobService,
        pending: PendingCommands,
        sink: MessageSink,
        commands_topic: str,
        flush_timeout_s: float = FLUSH_TIMEOUT_S,
        new_uuid: Callable[[], uuid.UUID] = uuid.uuid4,
        on_sent: Callable[[WorkflowConfig | JobCommand], None] | None = None,
        params_store: ParamsDocuments | None = None,
    ) -> None:
        self._instrument = instrument
        self._job_service = job_service
        self._pending = pending
        self._sink = sink
        self._topic = commands_topic
        self._flush_timeout_s = flush_timeout_s
        self._new_uuid = new_uuid
        self._on_sent = on_sent
        self._lock = threading.Lock()
        self._staged_params: dict[WorkflowId, dict[str, Any]] = {}
        self._staged_sources: dict[WorkflowId, list[str]] = {}
        self._last_used = LastUsedParams(store=params_store)
        self._own: dict[WorkflowId, list[JobId]] = {}
        self._closed = False

    def stage_params(self, workflow_id: WorkflowId, params: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``params`` over the defaults, validate, and stage the full payload.

        Raises :class:`InvalidParamsError` naming every problem; nothing is staged then.
        """
        spec = self._spec(workflow_id)
        payload = spec.params.merge_with_default(params)
        errors = spec.params.validate(payload)
        if errors:
            raise InvalidParamsError(str(workflow_id), errors)
        with self._lock:
            self._check_open()
            self._staged_params[workflow_id] = payload
        return payload

    def stage_sources(self, workflow_id: WorkflowId, sources: Sequence[str]) -> None:
        """Stage the sources of the next commit (non-empty, all of the workflow's)."""
        spec = self._spec(workflow_id)
        unknown = [s for s in sources if s not in spec.source_names]
        if not sources or unknown:
            raise InvalidSourcesError(
                f"sources for {workflow_id} must be a non-empty subset of "
                f"{spec.source_names}, got {list(sources)!r}"
            )
        with self._lock:
            self._check_open()
            self._staged_sources[workflow_id] = list(dict.fromkeys(sources))

    def params_for(self, workflow_id: WorkflowId) -> dict[str, Any]:
        """The payload the next commit sends: staged, else last used (by this session or,
        through the store, by any), else the default."""
        spec = self._spec(workflow_id)
        with self._lock:
            self._check_open()
            return dict(self._params_for(spec))

    def sources_for(self, workflow_id: WorkflowId) -> list[str]:
        """The sources the next commit starts: staged, else last used, else all of the
        workflow's."""
        spec = self._spec(workflow_id)
        with self._lock:
            self._check_open()
            return list(self._sources_for(spec))

    def last_params(self, workflow_id: WorkflowId) -> dict[str, Any] | None:
        """The params of this session's last commit of ``workflow_id``, if any."""
        with self._lock:
            self._check_open()
        return self._last_used.own(workflow_id)

    def commit(self, workflow_id: WorkflowId) -> uuid.UUID:
        """Start the staged configuration as a new generation; returns its job_number."""
        spec = self._spec(workflow_id)
        with self._lock:
            self._check_open()
            params = self._params_for(spec)
            errors = spec.params.validate(params)
            if errors:
                raise InvalidParamsError(str(workflow_id), errors)
            sources = self._sources_for(spec)
            aux_source_names = spec.default_aux_source_names()
            job_number = self._new_uuid()
            message_id = str(self._new_uuid())
            stops = [
                JobCommand(message_id=str(self._new_uuid()), job_id=job_id, action=JobAction.STOP)
                for job_id in self._own.get(workflow_id, [])
            ]
            configs = [
                WorkflowConfig(
                    identifier=workflow_id,
                    message_id=message_id,
                    job_id=JobId(source_name=source, job_number=job_number),
                    schedule=Schedule(),
                    aux_source_names=aux_source_names,
                    params=params,
                )
                for source in sources
            ]
            self._pending.register(
                message_id, expected_count=len(configs), description=f"Start {spec.title}"
            )
            self._job_service.on_commit(workflow_id, job_number, sources)
            self._own[workflow_id] = [config.job_id for config in configs]
            used = self._last_used.remember(
                spec, params=params, sources=sources, aux_source_names=aux_source_names
            )
            self._staged_params.pop(workflow_id, None)
            self._send([*stops, *configs])
        # Outside the lock: the store validates the document; one flush sends both.
        self._last_used.publish(used)
        logger.info(
            "workflow_committed",
            workflow=str(workflow_id),
            job_number=str(job_number),
            sources=list(sources),
            stopped_own=len(stops),
            message_id=message_id,
        )
        self._flush()
        return job_number

    def stop(self, workflow_id: WorkflowId) -> str:
        """Stop every job of the current generation; returns the tracked message_id."""
        return self._act(workflow_id, JobAction.STOP)

    def reset(self, workflow_id: WorkflowId) -> str:
        """Reset every job of the current generation; returns the tracked message_id."""
        spec = self._spec(workflow_id)
        if not spec.supports_reset:
            raise ResetNotSupportedError(f"workflow {workflow_id} ({spec.title}) cannot be reset")
        return self._act(workflow_id, JobAction.RESET)

    def stop_jobs(self, workflow_id: WorkflowId, job_ids: Sequence[JobId]) -> str:
        """Stop exactly ``job_ids`` (of ``workflow_id``); returns the tracked message_id.

        Duplicates are sent once. Raises ValueError for an empty list and KeyError
        (:class:`UnknownWorkflowError`) for a workflow not of this instrument.
        """
        spec = self._spec(workflow_id)
        targets = list(dict.fromkeys(job_ids))
        if not targets:
            raise ValueError(f"job_ids must name at least one job of {workflow_id}, got []")
        with self._lock:
            self._check_open()
            message_id = str(self._new_uuid())
            commands = [
                JobCommand(message_id=message_id, job_id=job_id, action=JobAction.STOP)
                for job_id in targets
            ]
            count = len(commands)
            self._pending.register(
                message_id,
                expected_count=count,
                description=f"Stop {count} job{'s' if count > 1 else ''} of {spec.title}",
            )
            self._forget_own(workflow_id, targets)
            self._send(commands)
        logger.info(
            "jobs_stop_sent",
            workflow=str(workflow_id),
            jobs=[str(j) for j in targets],
            message_id=message_id,
        )
        self._flush()
        return message_id

    def stop_superseded(self) -> int:
        """Stop this session's jobs that another generation superseded; how many."""
        with self._lock:
            if self._closed:
                return 0
            stops: list[JobCommand] = []
            for workflow_id, jobs in list(self._own.items()):
                current = self._job_service.current_job_number(workflow_id)
                if current is None or not jobs or jobs[0].job_number == current:
                    continue
                stops.extend(
                    JobCommand(message_id=str(self._new_uuid()), job_id=j, action=JobAction.STOP)
                    for j in jobs
                )
                del self._own[workflow_id]
                logger.info(
                    "own_generation_superseded",
                    workflow=str(workflow_id),
                    job_number=str(jobs[0].job_number),
                    superseded_by=str(current),
                )
            self._send(stops)
        if stops:
            self._flush()
        return len(stops)

    def own_jobs(self, workflow_id: WorkflowId) -> list[JobId]:
        """The jobs of ``workflow_id`` this session committed and has not stopped."""
        with self._lock:
            return list(self._own.get(workflow_id, []))

    def close(self) -> None:
        """Refuse all further work (idempotent); queued messages are the sink's concern."""
        with self._lock:
            self._closed = True

    def _act(self, workflow_id: WorkflowId, action: JobAction) -> str:
        spec = self._spec(workflow_id)
        with self._lock:
            self._check_open()
            job_ids = self._job_service.current_job_ids(workflow_id)
            if not job_ids:
                raise WorkflowNotRunningError(
                    f"workflow {workflow_id} ({spec.title}) is not running"
                )
            message_id = str(self._new_uuid())
            commands = [
                JobCommand(message_id=message_id, job_id=job_id, action=action)
                for job_id in job_ids
            ]
            self._pending.register(
                message_id,
                expected_count=len(commands),
                description=f"{action.value.capitalize()} {spec.title}",
            )
            if action is JobAction.STOP:
                self._job_service.on_stop(workflow_id)
                self._forget_own(workflow_id, job_ids)
            self._send(commands)
        logger.info(
            "job_command_sent",
            workflow=str(workflow_id),
            action=action.value,
            jobs=[str(j) for j in job_ids],
            message_id=message_id,
        )
        self._flush()
        return message_id

    def _forget_own(self, workflow_id: WorkflowId, stopped: Sequence[JobId]) -> None:
        own = [j for j in self._own.get(workflow_id, []) if j not in stopped]
        if own:
            self._own[workflow_id] = own
        else:
            self._own.pop(workflow_id, None)

    def _send(self, commands: Sequence[WorkflowConfig | JobCommand]) -> None:
        for command in commands:
            if self._on_sent is not None:
                self._on_sent(command)
            self._sink.produce(self._topic, encode_command(command))

    def _flush(self) -> None:
        remaining = self._sink.flush(self._flush_timeout_s)
        if remaining:
            logger.warning("commands_not_flushed", remaining=remaining, topic=self._topic)

    def _spec(self, workflow_id: WorkflowId) -> WorkflowSpec:
        # An early answer for a closed orchestrator; the check under the lock decides.
        self._check_open()
        return self._instrument.workflow(workflow_id)

    def _params_for(self, spec: WorkflowSpec) -> dict[str, Any]:
        staged = self._staged_params.get(spec.id)
        if staged is None:
            staged = self._last_used.params(spec)
        return spec.params.default_payload() if staged is None else staged

    def _sources_for(self, spec: WorkflowSpec) -> list[str]:
        staged = self._staged_sources.get(spec.id)
        if staged is None:
            staged = self._last_used.sources(spec)
        return list(spec.source_names) if staged is None else staged

    def _check_open(self) -> None:
        if self._closed:
            raise SessionClosedError("the session is closed")
