"""Workflow, job and result identities, with every string form the wire uses.

- ``WorkflowId``: nested object in commands and result keys; ``"inst/name/ver"`` in x5f2
  job heartbeats.
- ``JobId``: nested object; ``"source/job_number"`` in ROI stream names and ack
  ``device`` fields; ``"source:job_number"`` as the x5f2 ``service_id`` of a job.
- ``ResultKey``: the JSON document carried in a da00 ``source_name``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Strict, ValidationError, model_validator

from .errors import DecodeError, validation_reason

Nanoseconds = Annotated[int, Strict()]
"""An instant in ns since the Unix epoch. Strictly an int: these exceed 2**53, so a JSON
float in their place has already lost precision and is rejected rather than rounded."""


class WorkflowId(BaseModel):
    """Identity of a workflow spec: ``instrument/name/version``."""

    model_config = ConfigDict(frozen=True)

    instrument: str
    name: str
    version: int

    @model_validator(mode="before")
    @classmethod
    def _accept_string_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = value.split("/")
            if len(parts) != 3:
                raise ValueError(
                    f"workflow id {value!r} is not of the form 'instrument/name/version'"
                )
            instrument, name, version = parts
            return {"instrument": instrument, "name": name, "version": version}
        return value

    @classmethod
    def parse(cls, text: str) -> WorkflowId:
        """Parse ``"inst/name/ver"``; raises :class:`DecodeError`."""
        try:
            return cls.model_validate(text)
        except ValidationError as err:
            raise DecodeError("workflow_id", validation_reason(err)) from None

    def __str__(self) -> str:
        return f"{self.instrument}/{self.name}/{self.version}"


class JobId(BaseModel):
    """One job of a workflow: a source and the generation token ``job_number``."""

    model_config = ConfigDict(frozen=True)

    source_name: str
    job_number: uuid.UUID

    def __str__(self) -> str:
        return f"{self.source_name}/{self.job_number}"

    @property
    def service_id(self) -> str:
        """The x5f2 ``service_id`` of this job's heartbeat: ``source:job_number``."""
        return f"{self.source_name}:{self.job_number}"

    @classmethod
    def from_service_id(cls, service_id: str) -> JobId:
        """Inverse of :attr:`service_id`; splits on the *last* colon."""
        if not isinstance(service_id, str):
            raise DecodeError("job_id", f"service_id {service_id!r} is not a string")
        source, sep, number = service_id.rpartition(":")
        if not sep or not source:
            raise DecodeError("job_id", f"service_id {service_id!r} has no 'source:uuid' form")
        try:
            return cls(source_name=source, job_number=uuid.UUID(number))
        except ValueError:
            raise DecodeError("job_id", f"{number!r} in {service_id!r} is not a UUID") from None


class ResultKey(BaseModel):
    """The identity of one result message, JSON-encoded into the da00 ``source_name``."""

    model_config = ConfigDict(frozen=True)

    workflow_id: WorkflowId
    job_id: JobId
    output_name: str = "result"

    def to_json(self) -> str:
        """Compact JSON in declaration order, byte-identical to the backend's form."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> ResultKey:
        """Parse a da00 ``source_name``; raises :class:`DecodeError`."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as err:
            raise DecodeError("result_key", validation_reason(err)) from None
