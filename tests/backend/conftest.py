"""Fixtures of the fake-backend tests: the dummy instrument, samples, a fake clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from livedash.instruments import Instrument, load_instrument

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "protocol" / "samples"
# Data time of the samples: 2025-11-21T08:00:00Z.
T0_NS = 1_763_712_000_000_000_000


@dataclass
class Sample:
    """One wire test vector: its exact bytes and its sidecar."""

    name: str
    value: bytes
    sidecar: dict[str, Any]


def load_sample(name: str) -> Sample:
    bin_path = SAMPLES_DIR / f"{name}.bin"
    if not bin_path.exists():
        pytest.skip(f"sample {name} is not in {SAMPLES_DIR}")
    sidecar = json.loads((SAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return Sample(name=name, value=bin_path.read_bytes(), sidecar=sidecar)


def sample_names(prefix: str) -> list[str]:
    return sorted(path.stem for path in SAMPLES_DIR.glob(f"{prefix}*.bin"))


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
