"""Acknowledgements on ``{inst}_livedata_responses``: UTF-8 JSON, key None (PROTOCOL.md 4).

One ack answers one command message: ``message_id`` is echoed, ``device`` names what
was acted on (a source name, ``str(JobId)``, or ``all``) and ``message`` carries the
error text of an ``ERR``. The JSON is pydantic's compact form in declaration order,
byte-identical to the backend's.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import DecodeError, validation_reason


class AckResponse(StrEnum):
    ACK = "ACK"
    ERR = "ERR"


class Acknowledgement(BaseModel):
    """The backend's reply to one command."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    device: str
    response: AckResponse
    message: str | None = None


def encode_ack(ack: Acknowledgement) -> bytes:
    """The exact Kafka value the backend sends for ``ack``."""
    if not isinstance(ack, Acknowledgement):
        raise ValueError(f"not an Acknowledgement: {type(ack).__name__}")
    return ack.model_dump_json().encode("utf-8")


def decode_ack(buf: bytes) -> Acknowledgement:
    """Parse an acknowledgement; raises only :class:`DecodeError`."""
    if not isinstance(buf, bytes | bytearray | str):
        raise DecodeError("ack", f"expected bytes, got {type(buf).__name__}")
    try:
        return Acknowledgement.model_validate_json(buf)
    except ValidationError as err:
        raise DecodeError("ack", validation_reason(err)) from None
