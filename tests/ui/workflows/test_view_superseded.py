"""Jobs of a replaced generation that nobody stopped: shown, and stoppable on request."""

from __future__ import annotations

from livedash.protocol.commands import JobAction
from livedash.protocol.ids import JobId
from tests.session.fakes import PANEL

from .harness import World, click


def replaced_generation(world: World) -> list[JobId]:
    """A session starts PANEL and goes away without stopping it; its jobs keep running."""
    other = world.view(world.session())
    click(other.card(PANEL).start_button)
    world.settle()
    world.stacks[0].close()
    return list(world.backend.jobs)


def restarted_elsewhere(world: World):
    """A new session adopts the old generation and restarts the workflow."""
    old_jobs = replaced_generation(world)
    view = world.view(world.session())
    world.settle()
    view.refresh()
    card = view.card(PANEL)
    click(card.start_button)
    click(card.confirm.confirm_button)
    world.settle()
    view.refresh()
    return old_jobs, view, card


def test_superseded_jobs_still_running_are_counted_on_the_card(world: World) -> None:
    old_jobs, _view, card = restarted_elsewhere(world)
    assert len(old_jobs) == 1
    assert card.superseded_row.visible
    assert "1 superseded job still running" in card.superseded_note.object


def test_stop_them_stops_exactly_the_superseded_jobs_after_confirmation(world: World) -> None:
    old_jobs, _view, card = restarted_elsewhere(world)
    click(card.stop_superseded_button)
    assert world.job_commands() == []
    click(card.confirm.confirm_button)
    stops = world.job_commands()
    assert [(c.action, c.job_id) for c in stops] == [(JobAction.STOP, job) for job in old_jobs]


def test_the_notice_goes_once_the_superseded_jobs_stopped(world: World) -> None:
    _old_jobs, view, card = restarted_elsewhere(world)
    click(card.stop_superseded_button)
    click(card.confirm.confirm_button)
    world.settle()
    view.refresh()
    assert not card.superseded_row.visible
    assert "ACTIVE" in card.header.object


def test_no_notice_when_every_running_job_is_current(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    click(card.start_button)
    world.settle()
    view.refresh()
    assert not card.superseded_row.visible
