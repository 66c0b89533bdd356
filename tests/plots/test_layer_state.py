from __future__ import annotations

import pytest

from livedash.plots.layer_state import (
    TRANSITIONS,
    IllegalTransitionError,
    LayerState,
    LayerStateMachine,
)

S = LayerState


def machine_in(*path: LayerState) -> LayerStateMachine:
    machine = LayerStateMachine()
    for state in path:
        machine.transition(state, error="boom" if state is S.ERROR else None)
    return machine


def test_a_layer_starts_waiting_for_its_job() -> None:
    machine = LayerStateMachine()
    assert (machine.state, machine.error, machine.version) == (S.WAITING_FOR_JOB, None, 0)


def test_normal_life_bumps_the_version_on_every_change() -> None:
    machine = machine_in(S.WAITING_FOR_DATA, S.READY, S.STOPPED, S.WAITING_FOR_DATA, S.READY)
    assert machine.state is S.READY
    assert machine.version == 5


def test_staying_put_is_no_change() -> None:
    machine = machine_in(S.WAITING_FOR_DATA)
    assert not machine.transition(S.WAITING_FOR_DATA)
    assert machine.version == 1


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), S.STOPPED),
        ((S.WAITING_FOR_DATA,), S.STOPPED),
        ((S.WAITING_FOR_DATA, S.READY), S.WAITING_FOR_JOB),
        ((S.WAITING_FOR_DATA, S.READY, S.STOPPED), S.WAITING_FOR_JOB),
    ],
)
def test_illegal_transitions_raise(path: tuple[LayerState, ...], target: LayerState) -> None:
    machine = machine_in(*path)
    with pytest.raises(IllegalTransitionError, match=target.value):
        machine.transition(target)
    assert machine.state is (path[-1] if path else S.WAITING_FOR_JOB)


def test_error_needs_its_text_and_other_states_take_none() -> None:
    machine = LayerStateMachine()
    with pytest.raises(ValueError, match="error text"):
        machine.transition(S.ERROR)
    with pytest.raises(ValueError, match="only ERROR"):
        machine.transition(S.WAITING_FOR_DATA, error="x")


def test_error_text_change_is_a_new_version() -> None:
    machine = machine_in(S.ERROR)
    assert machine.transition(S.ERROR, error="other")
    assert (machine.error, machine.version) == ("other", 2)
    assert not machine.transition(S.ERROR, error="other")


def test_leaving_error_clears_the_text() -> None:
    machine = machine_in(S.ERROR, S.WAITING_FOR_DATA)
    assert machine.error is None


def test_every_state_can_reach_error_and_error_can_leave_to_any_state() -> None:
    assert all(S.ERROR in targets for targets in TRANSITIONS.values())
    assert TRANSITIONS[S.ERROR] == frozenset(S)
