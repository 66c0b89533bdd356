"""Helpers shared by all test suites (import as ``from tests.helpers import ...``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from livedash.kafka.message import Message
from livedash.kafka.transport import MessageSource

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    timeout_s: float,
    interval_s: float = 0.05,
    *,
    message: str = "",
) -> T:
    """Call ``predicate`` until it returns something truthy, and return that.

    The only permitted way for a test to wait for something to happen: it polls every
    ``interval_s`` and raises ``AssertionError`` (with ``message``) once ``timeout_s``
    has passed without success.
    """
    if timeout_s <= 0 or interval_s <= 0:
        raise ValueError(f"timeout_s and interval_s must be positive: {timeout_s}, {interval_s}")
    deadline = time.monotonic() + timeout_s
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"condition not met within {timeout_s} s")
        time.sleep(interval_s)


def collect_messages(
    source: MessageSource, *, count: int, timeout_s: float, max_messages: int = 100
) -> list[Message]:
    """Poll ``source`` until it has returned at least ``count`` messages; return them all.

    ``poll_batch`` itself waits up to 50 ms, so this does not spin.
    """
    received: list[Message] = []

    def enough() -> bool:
        received.extend(source.poll_batch(max_messages=max_messages, timeout_s=0.05))
        return len(received) >= count

    try:
        wait_until(enough, timeout_s, interval_s=0.001)
    except AssertionError:
        raise AssertionError(
            f"received {len(received)} of {count} messages within {timeout_s} s"
        ) from None
    return received
