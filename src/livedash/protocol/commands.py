"""Commands on ``{inst}_livedata_commands``: UTF-8 JSON, key None (PROTOCOL.md 3).

A command is a ``WorkflowConfig`` (configure and start one job) or a ``JobCommand``
(pause/resume/reset/stop a job, every job of a workflow, or every job), told apart by
``kind``. The JSON is pydantic's compact ``model_dump_json`` with fields in declaration
order, so encoding a decoded command reproduces the dashboard's bytes exactly
(non-ASCII units such as ``μs`` and ``Å`` are written raw, not escaped).
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .errors import DecodeError, validation_reason
from .ids import JobId, Nanoseconds, WorkflowId


def _new_message_id() -> str:
    return str(uuid.uuid4())


class Schedule(BaseModel):
    """When a job runs, in ns since the epoch; ``None`` means now / never end."""

    model_config = ConfigDict(frozen=True)

    start_time: Nanoseconds | None = None
    end_time: Nanoseconds | None = None


class WorkflowConfig(BaseModel):
    """Configure and start one job: one source of one workflow.

    One commit sends one ``WorkflowConfig`` per source, all sharing ``message_id`` and
    ``job_id.job_number``. ``params`` is the full params payload (``{}`` for none).
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["workflow_config"] = "workflow_config"
    identifier: WorkflowId
    message_id: str = Field(default_factory=_new_message_id)
    job_id: JobId
    schedule: Schedule = Field(default_factory=Schedule)
    aux_source_names: dict[str, str] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)


class JobAction(StrEnum):
    """What a ``JobCommand`` does. The backend answers pause/resume with ERR."""

    PAUSE = "pause"
    RESUME = "resume"
    RESET = "reset"
    STOP = "stop"


class JobCommand(BaseModel):
    """Act on one job (``job_id``), every job of a workflow, or (both None) every job."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["job_command"] = "job_command"
    message_id: str = Field(default_factory=_new_message_id)
    job_id: JobId | None = None
    workflow_id: WorkflowId | None = None
    action: JobAction


Command = Annotated[WorkflowConfig | JobCommand, Field(discriminator="kind")]

_COMMAND: TypeAdapter[WorkflowConfig | JobCommand] = TypeAdapter(Command)


def encode_command(cmd: WorkflowConfig | JobCommand) -> bytes:
    """The exact Kafka value the dashboard sends for ``cmd``."""
    if not isinstance(cmd, WorkflowConfig | JobCommand):
        raise ValueError(f"not a command: {type(cmd).__name__}")
    return cmd.model_dump_json().encode("utf-8")


def decode_command(buf: bytes) -> WorkflowConfig | JobCommand:
    """Parse a command as the backend does; raises only :class:`DecodeError`."""
    if not isinstance(buf, bytes | bytearray | str):
        raise DecodeError("command", f"expected bytes, got {type(buf).__name__}")
    try:
        return _COMMAND.validate_json(buf)
    except ValidationError as err:
        raise DecodeError("command", validation_reason(err)) from None
