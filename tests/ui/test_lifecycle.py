"""The liveness policy: which browser sessions are kept and which are reaped, and why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from livedash.ui import lifecycle
from livedash.ui.lifecycle import LivenessPolicy, LivenessSettings, ReapReason
from tests.session.fakes import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_policy(clock: FakeClock, **settings: float) -> LivenessPolicy:
    return LivenessPolicy(settings=LivenessSettings(**settings), clock=clock)


def run_for(policy: LivenessPolicy, clock: FakeClock, seconds: float, *, tick_every: float):
    """Tick every ``tick_every`` seconds for ``seconds``; the first reap decision, if any."""
    elapsed = 0.0
    while elapsed < seconds:
        step = min(tick_every, seconds - elapsed)
        clock.advance(step)
        elapsed += step
        decision = policy.decide()
        if decision.reap:
            return decision
        policy.tick()
    return policy.decide()


def test_a_ticking_visible_tab_is_kept(clock):
    policy = make_policy(clock)
    assert not run_for(policy, clock, 3600, tick_every=5).reap


def test_a_visible_tab_silent_for_the_visible_timeout_is_reaped(clock):
    policy = make_policy(clock, reap_visible_after_s=60)
    policy.tick()
    clock.advance(59.9)
    assert not policy.decide().reap
    clock.advance(0.1)
    assert policy.decide().reason is ReapReason.SILENT_WHILE_VISIBLE


def test_a_page_that_never_ticks_is_reaped_after_the_visible_timeout(clock):
    policy = make_policy(clock, reap_visible_after_s=60)
    clock.advance(60)
    assert policy.decide().reason is ReapReason.SILENT_WHILE_VISIBLE


def test_a_hidden_tab_ticking_once_a_minute_survives_30_minutes(clock):
    policy = make_policy(clock)
    policy.visibility(False)
    assert not run_for(policy, clock, 30 * 60, tick_every=61).reap


def test_a_hidden_tab_silent_for_the_hidden_timeout_is_reaped(clock):
    policy = make_policy(clock, reap_visible_after_s=60, reap_hidden_after_s=900)
    policy.visibility(False)
    clock.advance(899)
    assert not policy.decide().reap
    clock.advance(1)
    assert policy.decide().reason is ReapReason.SILENT_WHILE_HIDDEN


def test_the_hidden_timeout_counts_from_the_visibility_report(clock):
    policy = make_policy(clock, reap_visible_after_s=60, reap_hidden_after_s=900)
    clock.advance(50)
    policy.visibility(False)
    clock.advance(800)
    assert not policy.decide().reap


def test_a_tab_made_visible_again_is_held_to_the_visible_timeout(clock):
    policy = make_policy(clock, reap_visible_after_s=60, reap_hidden_after_s=900)
    policy.visibility(False)
    clock.advance(600)
    policy.visibility(True)
    clock.advance(60)
    assert policy.decide().reason is ReapReason.SILENT_WHILE_VISIBLE


def test_a_frozen_tab_is_never_reaped_for_silence(clock):
    policy = make_policy(clock)
    policy.frozen_changed(True)
    clock.advance(24 * 3600)
    assert not policy.decide().reap


def test_a_resumed_tab_is_judged_by_silence_again(clock):
    policy = make_policy(clock, reap_visible_after_s=60)
    policy.frozen_changed(True)
    clock.advance(3600)
    policy.frozen_changed(False)
    clock.advance(60)
    assert policy.decide().reason is ReapReason.SILENT_WHILE_VISIBLE


def test_a_frozen_tab_whose_connection_died_is_reaped(clock):
    policy = make_policy(clock, reap_disconnected_after_s=5)
    policy.connected(True)
    policy.frozen_changed(True)
    policy.connected(False)
    clock.advance(5)
    assert policy.decide().reason is ReapReason.CONNECTION_LOST


def test_a_short_disconnection_is_tolerated(clock):
    policy = make_policy(clock, reap_disconnected_after_s=5)
    policy.connected(True)
    policy.connected(False)
    clock.advance(4)
    policy.connected(True)
    clock.advance(4)
    assert not policy.decide().reap


def test_the_disconnection_timeout_counts_from_the_first_report_of_it(clock):
    policy = make_policy(clock, reap_disconnected_after_s=5)
    policy.connected(True)
    policy.connected(False)
    clock.advance(3)
    policy.tick()
    policy.connected(False)
    clock.advance(2)
    assert policy.decide().reason is ReapReason.CONNECTION_LOST


def test_a_page_still_loading_its_scripts_is_not_reaped_for_having_no_connection(clock):
    policy = make_policy(clock, reap_disconnected_after_s=5)
    policy.connected(False)
    clock.advance(30)
    policy.tick()
    policy.connected(False)
    assert not policy.decide().reap


def test_pagehide_reaps_at_once(clock):
    policy = make_policy(clock)
    policy.tick()
    policy.closing()
    assert policy.decide().reason is ReapReason.PAGE_CLOSED


def test_pagehide_wins_over_frozen(clock):
    policy = make_policy(clock)
    policy.frozen_changed(True)
    policy.closing()
    assert policy.decide().reason is ReapReason.PAGE_CLOSED


def test_last_tick_age_is_none_before_the_first_tick(clock):
    policy = make_policy(clock)
    assert policy.last_tick_age_s() is None
    policy.tick()
    clock.advance(4)
    assert policy.last_tick_age_s() == pytest.approx(4)


@pytest.mark.parametrize(
    "settings",
    [
        {"reap_visible_after_s": 0},
        {"reap_hidden_after_s": -1},
        {"reap_disconnected_after_s": 0},
        {"reap_visible_after_s": 120, "reap_hidden_after_s": 60},
    ],
)
def test_invalid_settings_are_rejected_naming_the_value(settings):
    with pytest.raises(ValueError, match="reap_"):
        LivenessSettings(**settings)


def test_module_stays_pure():
    tree = ast.parse(Path(lifecycle.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0
    }
    assert not imported & {"panel", "bokeh", "holoviews", "tornado", "param"}
