"""Starting, stopping and resetting workflows from their cards."""

from __future__ import annotations

from livedash.protocol.commands import JobAction
from tests.session.fakes import MONITOR, PANEL, TIMESERIES

from .harness import World, click


def test_cards_are_grouped_as_the_instrument_groups_workflows(world: World) -> None:
    view = world.view(world.session())
    groups = world.dummy.workflow_groups()
    headings = [obj.object for obj in view.panel.objects[::2]]
    for heading, specs in zip(headings, groups.values(), strict=True):
        assert specs[0].group.title in heading
    flexes = view.panel.objects[1::2]
    assert [len(flex.objects) for flex in flexes] == [len(specs) for specs in groups.values()]


def test_start_sends_one_workflow_config_per_selected_source_with_the_form_params(
    world: World,
) -> None:
    card = world.view(world.session()).card(MONITOR)
    card.sources.value = ["monitor2"]
    card.form.widget("toa_edges", "num_bins").value = 60
    click(card.start_button)
    configs = world.configs()
    assert [c.job_id.source_name for c in configs] == ["monitor2"]
    assert configs[0].params == card.form.value
    assert configs[0].params["toa_edges"]["num_bins"] == 60


def test_start_uses_every_source_by_default(world: World) -> None:
    card = world.view(world.session()).card(MONITOR)
    click(card.start_button)
    configs = world.configs()
    assert sorted(c.job_id.source_name for c in configs) == ["monitor1", "monitor2"]
    assert len({c.job_id.job_number for c in configs}) == 1


def test_an_invalid_field_blocks_start_and_shows_its_message(world: World) -> None:
    card = world.view(world.session()).card(MONITOR)
    card.form.widget("toa_edges", "num_bins").value = -1
    assert card.start_button.disabled
    assert card.form.field_errors("toa_edges", "num_bins") == ["-1 is less than the minimum of 1"]
    assert "Fix the parameters" in card.blocked.object
    click(card.start_button)
    assert world.configs() == []


def test_fixing_the_field_enables_start_again(world: World) -> None:
    card = world.view(world.session()).card(MONITOR)
    card.form.widget("toa_edges", "num_bins").value = -1
    card.form.widget("toa_edges", "num_bins").value = 10
    assert not card.start_button.disabled
    assert card.blocked.object == ""


def test_no_selected_source_blocks_start(world: World) -> None:
    card = world.view(world.session()).card(MONITOR)
    card.sources.value = []
    assert card.start_button.disabled
    assert "source" in card.blocked.object
    click(card.start_button)
    assert world.configs() == []


def test_stop_sends_nothing_until_confirmed(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    click(card.start_button)
    world.settle()
    view.refresh()
    click(card.stop_button)
    assert world.job_commands() == []
    assert card.confirm.panel.visible
    assert "Stop Panel 0" in card.confirm.question
    click(card.confirm.confirm_button)
    assert [c.action for c in world.job_commands()] == [JobAction.STOP]
    assert not card.confirm.panel.visible
    assert "STOPPED" in card.header.object


def test_cancel_drops_the_pending_stop(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    click(card.start_button)
    world.settle()
    view.refresh()
    click(card.stop_button)
    click(card.confirm.cancel_button)
    click(card.confirm.confirm_button)
    assert world.job_commands() == []
    assert "ACTIVE" in card.header.object


def test_reset_is_sent_only_after_confirmation(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    click(card.start_button)
    world.settle()
    view.refresh()
    click(card.reset_button)
    assert world.job_commands() == []
    click(card.confirm.confirm_button)
    assert [c.action for c in world.job_commands()] == [JobAction.RESET]


def test_restart_needs_confirmation_and_commits_a_new_generation(world: World) -> None:
    view = world.view(world.session())
    card = view.card(PANEL)
    click(card.start_button)
    world.settle()
    view.refresh()
    assert card.start_button.label == "Restart"
    click(card.start_button)
    assert len(world.configs()) == 1
    click(card.confirm.confirm_button)
    configs = world.configs()
    assert len(configs) == 2
    assert configs[0].job_id.job_number != configs[1].job_id.job_number
    assert "PENDING" in card.header.object


def test_the_reset_button_is_absent_for_a_workflow_that_cannot_be_reset(world: World) -> None:
    view = world.view(world.session())
    assert not view.card(TIMESERIES).reset_button.visible
    assert view.card(PANEL).reset_button.visible


def test_stop_and_reset_are_disabled_while_stopped(world: World) -> None:
    card = world.view(world.session()).card(PANEL)
    assert card.stop_button.disabled
    assert card.reset_button.disabled
    assert card.start_button.label == "Start"


def test_a_workflow_without_params_says_so(world: World) -> None:
    card = world.view(world.session()).card(TIMESERIES)
    assert not card.form.has_fields
    assert "no parameters" in card.panel.objects[4].object
    click(card.start_button)
    assert [c.params for c in world.configs()] == [{}, {}]
