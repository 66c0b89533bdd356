"""Commands to acknowledgements, per simulated service, as the real services answer.

Every real service reads every command and decides on its own (PROTOCOL.md 3.4, 4):

- ``WorkflowConfig``: only the service that owns the workflow (same instrument, spec's
  service = this service) answers; unknown workflows and other instruments get silence.
  ``ACK`` with ``device`` = the source name, or ``ERR`` with the reason (invalid params,
  extra keys for ``NoParams``, a source the workflow does not have).
- ``JobCommand`` with ``job_id``: only the service holding that job answers, with
  ``device`` = ``str(JobId)``; an unknown job id gets silence.
- ``JobCommand`` by ``workflow_id`` or for all jobs: each service with at least one
  matching job answers, with ``device`` = ``"all"``.
- ``pause`` / ``resume`` are not implemented upstream, and the backend raises before it
  looks up any job: *every* service answers ``ERR`` "Pause action not implemented yet" /
  "Resume action not implemented yet" (PROTOCOL.md 12.1), with the usual ``device``.
- ``reset`` of a workflow with ``supports_reset = False`` (timeseries): ``ERR``.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from livedash.protocol.acks import Acknowledgement, AckResponse
from livedash.protocol.commands import JobAction, JobCommand, WorkflowConfig

from .jobs import Job, JobManager, JobRejectedError, ResetNotSupportedError

logger = structlog.get_logger(__name__)

_NOT_IMPLEMENTED = {
    JobAction.PAUSE: "Pause action not implemented yet",
    JobAction.RESUME: "Resume action not implemented yet",
}


class CommandHandler:
    """Applies commands to the simulated services' job managers; returns their acks."""

    def __init__(self, *, managers: Sequence[JobManager]) -> None:
        self._managers = list(managers)

    def handle(self, command: WorkflowConfig | JobCommand, *, now_ns: int) -> list[Acknowledgement]:
        """Every ack the simulated services send for ``command``, in service order."""
        acks: list[Acknowledgement] = []
        for manager in self._managers:
            if isinstance(command, WorkflowConfig):
                ack = _workflow_config(manager, command, now_ns)
            else:
                ack = _job_command(manager, command, now_ns)
            if ack is not None:
                acks.append(ack)
        return acks


def _workflow_config(
    manager: JobManager, config: WorkflowConfig, now_ns: int
) -> Acknowledgement | None:
    spec = manager.owned_spec(config.identifier)
    if spec is None:
        return None
    device = config.job_id.source_name
    try:
        manager.schedule(spec, job_id=config.job_id, params=config.params, now_ns=now_ns)
    except JobRejectedError as err:
        logger.warning(
            "workflow_config_rejected",
            service=manager.service_name,
            workflow_id=str(config.identifier),
            reason=str(err),
        )
        return _err(config.message_id, device, str(err))
    return _ack(config.message_id, device)


def _job_command(manager: JobManager, command: JobCommand, now_ns: int) -> Acknowledgement | None:
    if command.action in _NOT_IMPLEMENTED:
        device = "all" if command.job_id is None else str(command.job_id)
        return _err(command.message_id, device, _NOT_IMPLEMENTED[command.action])
    if command.job_id is not None:
        job = manager.get(command.job_id)
        if job is None:
            return None
        targets, device = [job], str(command.job_id)
    else:
        targets, device = manager.select(command.workflow_id), "all"
        if not targets:
            return None
    try:
        _apply(manager, command.action, targets, now_ns)
    except ResetNotSupportedError as err:
        return _err(command.message_id, device, str(err))
    return _ack(command.message_id, device)


def _apply(manager: JobManager, action: JobAction, targets: list[Job], now_ns: int) -> None:
    for job in targets:
        if action is JobAction.STOP:
            manager.stop(job.job_id)
        elif action is JobAction.RESET:
            manager.reset(job.job_id, now_ns=now_ns)


def _ack(message_id: str, device: str) -> Acknowledgement:
    return Acknowledgement(message_id=message_id, device=device, response=AckResponse.ACK)


def _err(message_id: str, device: str, message: str) -> Acknowledgement:
    return Acknowledgement(
        message_id=message_id, device=device, response=AckResponse.ERR, message=message
    )
