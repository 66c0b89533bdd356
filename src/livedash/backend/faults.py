"""Fault injection: failing and warning workflows, and garbage on the output topics.

``--fail-workflow NAME`` makes every job of that workflow fail in its finalize step, so
the job reports ``error`` (NICOS 240) with the text the real backend sends for such a
failure ("Job failed to compute result." plus a Python traceback) and emits no data.
``--warn-workflow NAME`` makes every update report ``warning`` with the real backend's
data-processing warning text, while results keep flowing.

``--garbage-fraction F`` replaces, or interleaves with, that fraction of the messages on
the data and status topics a piece of garbage: a truncated flatbuffer, random bytes, a
foreign schema id, or a well-formed message with a broken payload (a da00 whose
``source_name`` is not a ResultKey, an x5f2 whose ``status_json`` is not JSON).
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import numpy as np


class Fault(Enum):
    FAIL = "fail"
    WARN = "warn"


class InjectedFailureError(RuntimeError):
    """The exception a failing workflow raises (its traceback becomes the job's error)."""


@dataclass(frozen=True)
class FaultPlan:
    """Which workflows (by name) fail or warn; failing wins if a name is in both."""

    fail_workflows: frozenset[str] = frozenset()
    warn_workflows: frozenset[str] = frozenset()

    def fault_for(self, workflow_name: str) -> Fault | None:
        if workflow_name in self.fail_workflows:
            return Fault.FAIL
        if workflow_name in self.warn_workflows:
            return Fault.WARN
        return None

    def unknown_names(self, known: Iterable[str]) -> list[str]:
        """Names in the plan that are not workflows of the instrument."""
        known_set = set(known)
        return sorted((self.fail_workflows | self.warn_workflows) - known_set)

    def check_known(self, known: Iterable[str]) -> None:
        """ValueError naming every workflow of the plan that is not in ``known``."""
        known_names = sorted(set(known))
        unknown = self.unknown_names(known_names)
        if unknown:
            raise ValueError(
                f"unknown workflow names for fault injection: {unknown}; known: {known_names}"
            )


def raise_injected_failure(workflow: str) -> None:
    """Raise :class:`InjectedFailureError` as a workflow's finalize would fail."""
    raise InjectedFailureError(
        f"Injected failure in workflow {workflow!r} (livedash fake-backend --fail-workflow)"
    )


def failure_text(workflow: str) -> str:
    """The job error text of a failing finalize, in the real backend's format."""
    try:
        raise_injected_failure(workflow)
    except InjectedFailureError:
        return f"Job failed to compute result.\n\n{traceback.format_exc()}"
    raise AssertionError("unreachable")  # pragma: no cover


def warning_text(workflow: str) -> str:
    """The job warning text of a failed data push, in the real backend's format."""
    try:
        raise RuntimeWarning(
            f"Injected warning in workflow {workflow!r} (livedash fake-backend --warn-workflow)"
        )
    except RuntimeWarning:
        return f"Job failed to process latest data.\n\n{traceback.format_exc()}"
    raise AssertionError("unreachable")  # pragma: no cover


# Schema ids that are valid elsewhere in ESS streaming but wrong on the livedata topics.
_FOREIGN_SCHEMAS = (b"ev44", b"f144", b"ad00", b"6s4t", b"x5f2", b"da00")


class GarbageInjector:
    """Decides per outgoing message whether garbage replaces it or comes before it.

    ``apply(kind, value)`` returns the byte strings to produce, in order: ``[value]``
    most of the time; with probability ``fraction`` either ``[garbage]`` (replaced) or
    ``[garbage, value]`` (interleaved), half and half. ``kind`` is ``"data"`` (da00) or
    ``"status"`` (x5f2) and selects the payload-level corruptions. Counts of injected
    garbage per flavour are kept in :attr:`injected`.
    """

    def __init__(self, *, fraction: float, rng: np.random.Generator) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"garbage fraction must be within [0, 1], got {fraction!r}")
        self._fraction = fraction
        self._rng = rng
        self.injected: dict[str, int] = {}

    def apply(self, kind: str, value: bytes) -> list[bytes]:
        if self._fraction <= 0.0 or self._rng.random() >= self._fraction:
            return [value]
        flavour, garbage = self._make(kind, value)
        self.injected[flavour] = self.injected.get(flavour, 0) + 1
        if self._rng.random() < 0.5:
            return [garbage]
        return [garbage, value]

    def _make(self, kind: str, value: bytes) -> tuple[str, bytes]:
        flavours = ["truncated", "random", "foreign_schema", "payload"]
        flavour = flavours[int(self._rng.integers(len(flavours)))]
        if flavour == "truncated" and len(value) > 1:
            return flavour, value[: int(self._rng.integers(1, len(value)))]
        if flavour == "foreign_schema" and len(value) >= 8:
            own = value[4:8]
            foreign = [s for s in _FOREIGN_SCHEMAS if s != own]
            return flavour, value[:4] + foreign[int(self._rng.integers(len(foreign)))] + value[8:]
        if flavour == "payload":
            broken = _break_payload(kind, value)
            if broken is not None:
                return flavour, broken
        size = int(self._rng.integers(1, 256))
        return "random", self._rng.bytes(size)


def _break_payload(kind: str, value: bytes) -> bytes | None:
    """Same-length edits that keep the flatbuffer valid but its content wrong."""
    if kind == "data" and b'"workflow_id"' in value:
        # The source_name stays JSON but is no longer a ResultKey.
        return value.replace(b'"workflow_id"', b'"workflow_iX"', 1)
    if kind == "status" and b'{"status":' in value:
        return value.replace(b'{"status":', b'["status":', 1)
    return None
