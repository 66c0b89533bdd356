from __future__ import annotations

import pytest

from livedash.session.errors import SessionClosedError
from livedash.session.lifecycle import Lifecycle, LifecycleError, StackState


def test_lifecycle_runs_created_running_closed() -> None:
    lifecycle = Lifecycle()
    assert lifecycle.state is StackState.CREATED
    lifecycle.transition(StackState.RUNNING)
    assert lifecycle.close()
    assert lifecycle.state is StackState.CLOSED


def test_close_is_idempotent() -> None:
    lifecycle = Lifecycle()
    assert lifecycle.close()
    assert not lifecycle.close()


def test_closed_lifecycle_refuses_transitions() -> None:
    lifecycle = Lifecycle()
    lifecycle.close()
    with pytest.raises(SessionClosedError):
        lifecycle.transition(StackState.RUNNING)
    with pytest.raises(SessionClosedError):
        lifecycle.require_open()


def test_failure_only_from_running() -> None:
    lifecycle = Lifecycle()
    assert not lifecycle.fail()
    lifecycle.transition(StackState.RUNNING)
    assert lifecycle.fail()
    assert lifecycle.state is StackState.FAILED
    with pytest.raises(LifecycleError):
        lifecycle.transition(StackState.RUNNING)
