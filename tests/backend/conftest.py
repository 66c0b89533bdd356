"""Fixtures of the fake-backend tests: the dummy instrument, samples, a fake clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from livedash.instruments import Instrument, load_instrument
from tests.samples import load_vector, vector_names

# Data time of the samples: 2025-11-21T08:00:00Z.
T0_NS = 1_763_712_000_000_000_000


@dataclass
class Sample:
    """One wire test vector: its exact bytes and its sidecar."""

    name: str
    value: bytes
    sidecar: dict[str, Any]


def load_sample(name: str) -> Sample:
    value, sidecar = load_vector(name)
    return Sample(name=name, value=value, sidecar=sidecar)


def sample_names(prefix: str) -> list[str]:
    return vector_names(prefix)


class FakeClock:
    """Monotonic seconds and wall-clock ns that only move when a test says so."""

    def __init__(self, *, start_ns: int = T0_NS) -> None:
        self._mono = 1000.0
        self._wall_ns = start_ns

    def monotonic(self) -> float:
        return self._mono

    def wall_ns(self) -> int:
        return self._wall_ns

    def advance(self, seconds: float) -> None:
        self._mono += seconds
        self._wall_ns += round(seconds * 1e9)


@pytest.fixture
def dummy() -> Instrument:
    return load_instrument("dummy")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
