"""Counting and logging of unusable input messages: skip, count, log once per kind."""

from __future__ import annotations

from collections import Counter
from types import MappingProxyType
from typing import Any

import structlog

logger = structlog.get_logger(__name__)


class BadInputLog:
    """Counts bad input per kind and logs the first occurrence of each kind.

    A kind is a short label such as ``"command:decode"`` or ``"roi:unknown_job"``.
    Later occurrences only increase the count, so a flood of garbage cannot flood the
    log; :attr:`counts` exposes the totals (for tests and the shutdown summary).
    Not thread-safe: owned by the backend's single loop thread.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def record(self, kind: str, **context: Any) -> None:
        """Count one bad message of ``kind``; log it if it is the first of its kind."""
        self._counts[kind] += 1
        if self._counts[kind] == 1:
            logger.warning("bad_input_skipped", kind=kind, first_of_kind=True, **context)

    @property
    def counts(self) -> MappingProxyType[str, int]:
        """Read-only view of the counts per kind."""
        return MappingProxyType(self._counts)

    def total(self) -> int:
        """Number of bad messages seen, all kinds together."""
        return sum(self._counts.values())
