"""The one exception type raised for a message that cannot be decoded."""

from __future__ import annotations

from pydantic import ValidationError


class DecodeError(ValueError):
    """A received message is not a valid message of the expected kind.

    Every decoder in :mod:`livedash.protocol` raises only this type for bad input
    (truncated or foreign flatbuffers, wrong schema id, invalid JSON, values of the wrong
    shape). ``reason`` is a short human-readable explanation; ``kind`` names what was
    being decoded (``"da00"``, ``"x5f2"``, ``"command"``, ``"ack"``, ``"result_key"`` ...)
    so that callers can count failures per kind.
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"cannot decode {kind}: {reason}")
        self.kind = kind
        self.reason = reason


def validation_reason(err: ValidationError) -> str:
    """The first problem pydantic found, as ``location: message``, for a DecodeError reason."""
    first = err.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "<root>"
    return f"{location}: {first['msg']}"
