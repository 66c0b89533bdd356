from __future__ import annotations

from dataclasses import dataclass

from livedash.session.pump import Freshness
from livedash.ui.freshness import FreshnessView, Verdict, verdict


@dataclass
class Indicator:
    server_beat: int = 0
    freshness: str = "live"
    freshness_text: str = ""
    freshness_detail: str = ""


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_current_session_is_live() -> None:
    assert verdict(Freshness(silent_s=1.0, behind_s=0.3)) == Verdict("live")
    assert verdict(Freshness(silent_s=0.0, behind_s=None)) == Verdict("live")


def test_a_session_that_hears_nothing_says_so_with_the_seconds() -> None:
    result = verdict(Freshness(silent_s=12.4, behind_s=0.2))
    assert result.state == "silent"
    assert result.text == "No data for 12 s"
    assert "broker may be unreachable" in result.detail


def test_a_session_that_falls_behind_says_by_how_much() -> None:
    result = verdict(Freshness(silent_s=0.1, behind_s=7.6))
    assert result.state == "behind"
    assert result.text == "8 s behind"


def test_silence_wins_over_delay() -> None:
    assert verdict(Freshness(silent_s=30.0, behind_s=9.0)).state == "silent"


def test_the_view_beats_once_a_second_and_sets_the_verdict_only_when_it_changes() -> None:
    now = Clock()
    current = [Freshness(silent_s=0.0, behind_s=0.1)]
    indicator = Indicator()
    view = FreshnessView(freshness=lambda: current[0], indicator=indicator, clock=now)
    for step in range(6):  # 3 s of 0.5 s ticks
        now.now = step * 0.5
        view.refresh()
    assert indicator.server_beat == 3
    assert indicator.freshness == "live"
    current[0] = Freshness(silent_s=11.0, behind_s=0.1)
    view.refresh()
    assert (indicator.freshness, indicator.freshness_text) == ("silent", "No data for 11 s")
    indicator.freshness_text = "untouched"
    view.refresh()  # same verdict: nothing re-sent
    assert indicator.freshness_text == "untouched"
    current[0] = Freshness(silent_s=0.0, behind_s=0.1)
    view.refresh()
    assert (indicator.freshness, indicator.freshness_text) == ("live", "")
