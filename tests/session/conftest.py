"""Fixtures of the session-stack tests: injected clocks and the dummy instrument."""

from __future__ import annotations

import pytest

from livedash.instruments import Instrument, load_instrument

from .fakes import FakeClock, FakeWallClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wall() -> FakeWallClock:
    return FakeWallClock()


@pytest.fixture(scope="session")
def dummy() -> Instrument:
    return load_instrument("dummy")
