"""The lifecycle of one plot layer, as an explicit state machine with a version counter.

::

    WAITING_FOR_JOB --(every role's job runs)--> WAITING_FOR_DATA --(data of every role)--> READY
        ^                                            |      ^                                |
        +--------------(a job went away)-------------+      +--(restart: new generation,-----+
                                                                reset: data cleared)
    READY --(a role's workflow stopped)--> STOPPED (last plot kept) --(restart)--> WAITING_FOR_DATA
    any state --(a role's job errors, or the plot cannot be computed)--> ERROR (with the text)

The allowed transitions are the table :data:`TRANSITIONS`; anything else raises
:class:`IllegalTransitionError`. The missing ones encode what a state means:

- STOPPED is "not running, last plot kept": a layer without a plot (WAITING_FOR_JOB,
  WAITING_FOR_DATA) cannot become STOPPED, and a layer with a plot (READY, STOPPED)
  never falls back to WAITING_FOR_JOB, it keeps its plot as STOPPED;
- WAITING_FOR_DATA holds no plot: a restart (new generation) or a reset drops it.

STOPPED -> READY is allowed: a generation marked stopped may resume with the same job
number, and its data is still valid. ERROR -> ERROR is allowed when the text changes.
Every change bumps :attr:`LayerStateMachine.version`. Not thread-safe: its owner (the
plot orchestrator) serialises access.
"""

from __future__ import annotations

from enum import StrEnum


class LayerState(StrEnum):
    WAITING_FOR_JOB = "waiting_for_job"
    WAITING_FOR_DATA = "waiting_for_data"
    READY = "ready"
    STOPPED = "stopped"
    ERROR = "error"


_S = LayerState

TRANSITIONS: dict[LayerState, frozenset[LayerState]] = {
    _S.WAITING_FOR_JOB: frozenset({_S.WAITING_FOR_DATA, _S.READY, _S.ERROR}),
    _S.WAITING_FOR_DATA: frozenset({_S.READY, _S.WAITING_FOR_JOB, _S.ERROR}),
    _S.READY: frozenset({_S.WAITING_FOR_DATA, _S.STOPPED, _S.ERROR}),
    _S.STOPPED: frozenset({_S.WAITING_FOR_DATA, _S.READY, _S.ERROR}),
    _S.ERROR: frozenset({_S.WAITING_FOR_JOB, _S.WAITING_FOR_DATA, _S.READY, _S.STOPPED, _S.ERROR}),
}


class IllegalTransitionError(ValueError):
    """A transition the table does not allow."""


class LayerStateMachine:
    """One layer's :class:`LayerState`, the error text in ERROR, and a version."""

    def __init__(self) -> None:
        self._state = LayerState.WAITING_FOR_JOB
        self._error: str | None = None
        self._version = 0

    @property
    def state(self) -> LayerState:
        return self._state

    @property
    def error(self) -> str | None:
        """The error text while in ERROR, else None."""
        return self._error

    @property
    def version(self) -> int:
        return self._version

    def can_enter(self, target: LayerState) -> bool:
        return target in TRANSITIONS[self._state]

    def transition(self, target: LayerState, *, error: str | None = None) -> bool:
        """Enter ``target``; False (no version bump) if already there with the same text.

        ERROR needs a non-empty ``error``; other states take none. Raises
        :class:`IllegalTransitionError` for a transition outside the table.
        """
        if target is LayerState.ERROR:
            if not error:
                raise ValueError("entering ERROR needs the error text")
        elif error is not None:
            raise ValueError(f"only ERROR carries an error text, not {target.value}")
        if target is self._state and error == self._error:
            return False
        if not self.can_enter(target):
            raise IllegalTransitionError(
                f"layer cannot go from {self._state.value} to {target.value}"
            )
        self._state = target
        self._error = error
        self._version += 1
        return True
