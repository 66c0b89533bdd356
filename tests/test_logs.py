"""The log setup: librdkafka's repeated lines are thinned, not lost."""

from __future__ import annotations

import logging

from livedash.logs import RepeatFilter


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(message: str, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord("librdkafka", level, __file__, 1, message, None, None)


def test_a_repeated_message_passes_once_per_interval() -> None:
    clock = _Clock()
    repeat = RepeatFilter(interval_s=60.0, clock=clock)

    assert repeat.filter(_record("FAIL 127.0.0.1:9092/1: Connect failed"))
    clock.now = 30.0
    assert not repeat.filter(_record("FAIL 127.0.0.1:9092/2: Connect failed"))
    clock.now = 61.0
    assert repeat.filter(_record("FAIL 127.0.0.1:9092/3: Connect failed"))


def test_distinct_messages_all_pass() -> None:
    repeat = RepeatFilter(clock=_Clock())

    assert repeat.filter(_record("FAIL connect failed"))
    assert repeat.filter(_record("SASL authentication failed"))
    assert repeat.filter(_record("FAIL connect failed", level=logging.WARNING))
