"""Pure formatting of status values."""

from __future__ import annotations

import math

import pytest

from livedash.protocol.status import ServiceState
from livedash.ui.system_status.formatting import (
    format_count,
    format_duration,
    format_mib,
    format_percent,
    short_id,
    state_css,
    state_label,
)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (math.nan, "-"),
        (-3, "0 s"),
        (0.4, "0 s"),
        (59.9, "59 s"),
        (60, "1 min 00 s"),
        (3599, "59 min 59 s"),
        (3600, "1 h 00 min"),
        (86_399, "23 h 59 min"),
        (90_061, "1 d 01 h"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [(None, "-"), (0, "0.0 MiB"), (1024 * 1024 * 1.5, "1.5 MiB"), ("12", "-"), (True, "-")],
)
def test_format_mib(size: object, text: str) -> None:
    assert format_mib(size) == text


def test_format_percent_and_count() -> None:
    assert format_percent(12.345) == "12.3 %"
    assert format_percent(None) == "-"
    assert format_count(12345) == "12,345"
    assert format_count(None) == "-"


def test_short_id() -> None:
    assert short_id("0123456789abcdef") == "01234567"
    assert short_id(None) == "-"


@pytest.mark.parametrize(
    ("state", "stale", "label", "css"),
    [
        (ServiceState.RUNNING, False, "RUNNING", "ld-state-running"),
        (ServiceState.ERROR, False, "ERROR", "ld-state-error"),
        (ServiceState.STOPPED, False, "STOPPED", "ld-state-muted"),
        (ServiceState.STARTING, False, "STARTING", "ld-state-muted"),
        (ServiceState.RUNNING, True, "STALE", "ld-state-stale"),
    ],
)
def test_state_label_and_css(state: ServiceState, stale: bool, label: str, css: str) -> None:
    assert state_label(state, stale=stale) == label
    assert state_css(state, stale=stale) == css
