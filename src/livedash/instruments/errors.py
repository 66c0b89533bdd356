"""Errors raised when looking up or reading instrument descriptions."""

from __future__ import annotations


class UnknownInstrumentError(ValueError):
    """No data file describes the requested instrument, or its name is not a valid one."""


class InstrumentFileError(ValueError):
    """An instrument data file is unreadable or malformed; the message names file and field."""


class UnknownWorkflowError(KeyError):
    """The instrument has no workflow with the requested id.

    A ``KeyError``, so ``except KeyError`` around a lookup keeps working; ``str()`` gives
    the plain message rather than ``KeyError``'s quoted repr.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
