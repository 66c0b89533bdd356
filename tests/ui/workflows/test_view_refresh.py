"""refresh() touches the page only where something changed."""

from __future__ import annotations

from livedash.protocol.status import JobState
from tests.session.fakes import MONITOR, PANEL

from .harness import World, click, record_events


def test_refresh_without_changes_emits_no_panel_events(world: World) -> None:
    view = world.view(world.session())
    click(view.card(PANEL).start_button)
    world.settle()
    view.refresh()
    events = record_events(view.panel)
    view.refresh()
    view.refresh()
    assert events == []


def test_refresh_of_a_stopped_instrument_emits_no_panel_events(world: World) -> None:
    view = world.view(world.session())
    events = record_events(view.panel)
    world.clock.advance(10)
    view.refresh()
    assert events == []


def test_only_the_changed_workflow_card_is_touched(world: World) -> None:
    view = world.view(world.session())
    click(view.card(PANEL).start_button)
    click(view.card(MONITOR).start_button)
    world.settle()
    view.refresh()
    panel_events = record_events(view.card(PANEL).panel)
    monitor_events = record_events(view.card(MONITOR).panel)
    world.set_jobs(MONITOR, state=JobState.WARNING, warning="slow")
    world.settle(advance_s=0.0)  # a still clock: running times do not move either
    view.refresh()
    assert panel_events == []
    assert "HTML.object" in monitor_events


def test_a_ticking_clock_updates_only_the_running_time(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    click(card.start_button)
    world.settle()
    view.refresh()
    events = record_events(view.panel)
    world.clock.advance(5)
    view.refresh()
    assert events == ["HTML.object"]


def test_refresh_does_not_rebuild_widgets(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    widgets = (card.header, card.start_button, card.form.widget("toa_edges", "start"))
    click(card.start_button)
    world.settle()
    view.refresh()
    assert (card.header, card.start_button, card.form.widget("toa_edges", "start")) == widgets


def test_a_closed_view_ignores_refresh_and_clicks(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    view.close()
    view.close()
    click(card.start_button)
    events = record_events(view.panel)
    world.settle()
    view.refresh()
    assert world.configs() == []
    assert events == []
