"""Command errors appear on the card and are never raised into Panel."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

from livedash.protocol.status import JobState
from livedash.session.errors import InvalidParamsError, ResetNotSupportedError
from livedash.session.stack import SessionStack
from tests.session.fakes import MONITOR, PANEL

from .harness import World, click


class FailingOrchestrator:
    """The session's orchestrator, with some methods replaced by ones that raise."""

    def __init__(self, stack: SessionStack, **failures: BaseException) -> None:
        self._orchestrator = stack.orchestrator
        self._failures = failures

    def __getattr__(self, name: str) -> Any:
        if name in self._failures:

            def fail(*_args: object) -> None:
                raise self._failures[name]

            return fail
        return getattr(self._orchestrator, name)


def test_a_closed_session_is_reported_on_the_card(world: World) -> None:
    stack = world.session()
    card = world.view(stack).card(PANEL)
    stack.close()
    click(card.start_button)
    assert card.action_error.visible
    assert "closed" in card.action_error.object


def test_stopping_a_workflow_that_stopped_meanwhile_is_reported(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    click(card.start_button)
    world.settle()
    view.refresh()
    click(card.stop_button)
    world.set_jobs(PANEL, state=JobState.STOPPED)
    world.settle()
    view.refresh()
    click(card.confirm.confirm_button)
    assert "not running" in card.action_error.object


def test_params_the_orchestrator_refuses_are_marked_on_their_field(world: World) -> None:
    stack = world.session()
    refused = InvalidParamsError(
        "dummy/monitor_histogram/1", ["toa_edges.num_bins: not a multiple of 2"]
    )
    card = world.view(stack, orchestrator=FailingOrchestrator(stack, stage_params=refused)).card(
        MONITOR
    )
    click(card.start_button)
    assert card.form.field_errors("toa_edges", "num_bins") == ["not a multiple of 2"]
    assert "invalid params" in card.action_error.object
    assert world.configs() == []


def test_a_refused_reset_is_reported(world: World) -> None:
    stack = world.session()
    orchestrator = FailingOrchestrator(stack, reset=ResetNotSupportedError("cannot be reset"))
    view = world.view(stack, orchestrator=orchestrator)
    card = view.card(PANEL)
    click(card.start_button)
    world.settle()
    view.refresh()
    click(card.reset_button)
    click(card.confirm.confirm_button)
    assert "cannot be reset" in card.action_error.object


def test_an_unexpected_error_is_logged_and_reported(world: World) -> None:
    stack = world.session()
    orchestrator = FailingOrchestrator(stack, commit=RuntimeError("disk on fire"))
    card = world.view(stack, orchestrator=orchestrator).card(PANEL)
    with capture_logs() as logs:
        click(card.start_button)
    assert "Unexpected error: disk on fire" in card.action_error.object
    assert any(entry["event"] == "workflow_action_failed" for entry in logs)


def test_a_successful_command_clears_the_previous_error(world: World) -> None:
    stack = world.session()
    failing = FailingOrchestrator(stack, commit=RuntimeError("once"))
    card = world.view(stack, orchestrator=failing).card(PANEL)
    click(card.start_button)
    failing._failures.clear()
    click(card.start_button)
    assert not card.action_error.visible


@pytest.mark.parametrize("button", ["stop_button", "reset_button"])
def test_stop_and_reset_of_a_stopped_workflow_ask_nothing(world: World, button: str) -> None:
    card = world.view(world.session()).card(PANEL)
    click(getattr(card, button))
    assert not card.confirm.panel.visible
    assert world.job_commands() == []
