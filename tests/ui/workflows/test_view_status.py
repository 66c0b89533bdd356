"""What a workflow card shows as the backend's heartbeats come and go."""

from __future__ import annotations

from livedash.protocol.status import JobState
from tests.session.fakes import MONITOR, PANEL

from .harness import World, click


def started(world: World, workflow=PANEL):
    view = world.view(world.session())
    card = view.card(workflow)
    click(card.start_button)
    return view, card


def test_a_committed_workflow_is_pending_until_its_first_heartbeat(world: World) -> None:
    view, card = started(world)
    assert "PENDING" in card.header.object
    assert "Waiting for backend" in card.detail.object
    world.backend.process()
    view.refresh()
    assert "PENDING" in card.header.object
    world.settle()
    view.refresh()
    assert "ACTIVE" in card.header.object
    assert "Waiting for backend" not in card.detail.object


def test_a_warning_heartbeat_shows_warning_and_its_text(world: World) -> None:
    view, card = started(world)
    world.settle()
    world.set_jobs(PANEL, state=JobState.WARNING, warning="Detector saturated")
    world.settle()
    view.refresh()
    assert "WARNING" in card.header.object
    assert card.messages.visible
    assert "panel_0: Detector saturated" in card.messages.object


def test_an_error_heartbeat_shows_the_first_line_and_the_full_traceback_on_demand(
    world: World,
) -> None:
    view, card = started(world)
    world.settle()
    traceback = "ValueError: bad bins\nTraceback (most recent call last):\n  File x.py, line 3"
    world.set_jobs(PANEL, state=JobState.ERROR, error=traceback)
    world.settle()
    view.refresh()
    assert "ERROR" in card.header.object
    assert "<summary>panel_0: ValueError: bad bins</summary>" in card.messages.object
    assert "File x.py, line 3</pre>" in card.messages.object


def test_waiting_for_context_is_shown(world: World) -> None:
    view, card = started(world)
    world.settle()
    world.set_jobs(PANEL, state=JobState.PENDING_CONTEXT)
    world.settle()
    view.refresh()
    assert "WAITING FOR CONTEXT" in card.header.object


def test_the_warning_clears_when_the_backend_recovers(world: World) -> None:
    view, card = started(world)
    world.settle()
    world.set_jobs(PANEL, state=JobState.WARNING, warning="slow")
    world.settle()
    view.refresh()
    world.set_jobs(PANEL, state=JobState.ACTIVE, warning=None)
    world.settle()
    view.refresh()
    assert "ACTIVE" in card.header.object
    assert not card.messages.visible


def test_a_backend_that_reports_every_job_stopped_stops_the_card(world: World) -> None:
    view, card = started(world)
    world.settle()
    world.set_jobs(PANEL, state=JobState.STOPPED)
    world.settle()
    view.refresh()
    assert "STOPPED" in card.header.object
    assert "Backend shut down" in card.detail.object
    assert card.start_button.label == "Start"


def test_a_card_says_this_session_started_the_workflow(world: World) -> None:
    view, card = started(world)
    world.settle()
    view.refresh()
    assert "Started by this session" in card.detail.object


def test_a_workflow_started_by_another_session_is_shown_as_adopted(world: World) -> None:
    other = world.view(world.session())
    click(other.card(PANEL).start_button)
    view = world.view(world.session())
    world.settle()
    view.refresh()
    card = view.card(PANEL)
    assert "ACTIVE" in card.header.object
    assert "Adopted" in card.detail.object
    assert card.start_button.label == "Restart"


def test_the_running_time_follows_the_clock(world: World) -> None:
    view, card = started(world)
    world.settle()
    view.refresh()
    first = card.running_time.object
    assert "Running for" in first
    world.clock.advance(125)
    view.refresh()
    assert "Running for 2 min" in card.running_time.object


def test_a_stopped_card_shows_no_running_time(world: World) -> None:
    view = world.view(world.session())
    assert view.card(MONITOR).running_time.object == ""


def test_per_source_states_are_listed_for_multi_source_workflows(world: World) -> None:
    view, card = started(world, MONITOR)
    world.settle()
    view.refresh()
    assert "monitor1: active, monitor2: active" in card.detail.object
