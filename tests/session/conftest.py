"""Fixtures of the session-stack tests: injected clocks and the dummy instrument."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from livedash.instruments import Instrument, load_instrument

from .fakes import FakeClock, FakeWallClock
from .world import World


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
    """Sessions on one in-memory broker with a fake backend; every session closed after."""
    world = World(dummy, clock, wall)
    yield world
    world.close()
