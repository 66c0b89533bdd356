"""Fixtures of the workflow-view tests: injected clocks, the dummy instrument, a world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from livedash.instruments import Instrument, load_instrument
from tests.session.fakes import FakeClock, FakeWallClock

from .harness import World


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wall() -> FakeWallClock:
    return FakeWallClock()


@pytest.fixture(scope="session")
def dummy() -> Instrument:
    return load_instrument("dummy")


@pytest.fixture
def world(dummy: Instrument, clock: FakeClock, wall: FakeWallClock) -> Iterator[World]:
    world = World(dummy, clock, wall)
    yield world
    world.close()
