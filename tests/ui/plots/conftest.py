"""Fixtures of the Plots tab tests: a world of fakes and real store/orchestrator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import ModelCounter, World


@pytest.fixture
def world() -> Iterator[World]:
    world = World()
    yield world
    world.view.close()


@pytest.fixture
def models() -> ModelCounter:
    return ModelCounter()
