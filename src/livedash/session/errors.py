"""The exceptions a session stack raises to its caller (the UI)."""

from __future__ import annotations

from collections.abc import Sequence


class SessionClosedError(RuntimeError):
    """The session stack (or one of its services) was used after ``close()``."""


class InvalidParamsError(ValueError):
    """Staged workflow params do not satisfy the workflow's params schema.

    ``errors`` holds one human-readable message per problem, as produced by
    :meth:`livedash.instruments.ParamsSpec.validate`.
    """

    def __init__(self, workflow: str, errors: Sequence[str]) -> None:
        super().__init__(f"invalid params for {workflow}: " + "; ".join(errors))
        self.workflow = workflow
        self.errors = list(errors)


class InvalidSourcesError(ValueError):
    """Staged sources are empty or not sources of the workflow."""


class ResetNotSupportedError(ValueError):
    """The workflow's spec declares ``supports_reset = False``; nothing was sent."""


class WorkflowNotRunningError(ValueError):
    """A stop or reset was asked for a workflow with no current generation."""
