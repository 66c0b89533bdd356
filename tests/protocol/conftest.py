"""Fixtures for the protocol tests: the shared wire vectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.samples import missing_reason, samples_dir


@pytest.fixture
def protocol_samples() -> Path:
    """The shared samples folder; skips the test with the paths tried if it is absent."""
    folder = samples_dir()
    if folder is None:
        pytest.skip(missing_reason())
    return folder
