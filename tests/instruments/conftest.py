"""Fixtures for the instrument tests: the shipped dummy file, the shared protocol data and
throw-away instrument files on ``LIVEDASH_INSTRUMENT_PATH``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from livedash.instruments import INSTRUMENT_PATH_ENV, Instrument, load_instrument

REPO = Path(__file__).resolve().parents[2]
PACKAGED_DUMMY = REPO / "src" / "livedash" / "instruments" / "data" / "dummy.json"
SHARED = REPO.parent / "shared"


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def packaged_dummy_path() -> Path:
    return PACKAGED_DUMMY


@pytest.fixture
def dummy() -> Instrument:
    return load_instrument("dummy")


@pytest.fixture
def mini_data() -> dict[str, Any]:
    """A complete, valid instrument called ``mini``: the dummy file with the name swapped."""
    return json.loads(PACKAGED_DUMMY.read_text(encoding="utf-8").replace("dummy", "mini"))


@pytest.fixture
def write_instrument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[dict[str, Any]], Path]:
    """Write ``data`` as ``<tmp>/<data['instrument']>.json`` and put <tmp> on the path."""
    monkeypatch.setenv(INSTRUMENT_PATH_ENV, str(tmp_path))

    def write(data: dict[str, Any]) -> Path:
        path = tmp_path / f"{data['instrument']}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def shared_dir() -> Path:
    """``<repo>/../shared``; tests that need it are skipped when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared protocol data not found at {SHARED}")
    return SHARED


@pytest.fixture
def upstream_dump(shared_dir: Path) -> dict[str, Any]:
    return json.loads((shared_dir / "protocol" / "instrument_dummy.json").read_text("utf-8"))


@pytest.fixture
def workflow_config_samples(shared_dir: Path) -> dict[str, dict[str, Any]]:
    """The ``workflow_config`` command of every ``cmd_workflow_config_*`` sample, by name."""
    samples = sorted((shared_dir / "protocol" / "samples").glob("cmd_workflow_config_*.json"))
    if not samples:
        pytest.skip("no cmd_workflow_config samples in the shared data")
    return {path.stem: json.loads(path.read_text("utf-8"))["json"] for path in samples}
