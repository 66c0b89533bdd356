"""scripts/derive_instrument.py reproduces the shipped dummy.json and refuses to lose data."""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from livedash.instruments import Instrument


@pytest.fixture
def derive_script(repo_root: Path) -> ModuleType:
    path = repo_root / "scripts" / "derive_instrument.py"
    spec = importlib.util.spec_from_file_location("derive_instrument", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rerunning_the_script_reproduces_the_shipped_file_exactly(
    repo_root: Path, shared_dir: Path, packaged_dummy_path: Path, tmp_path: Path
) -> None:
    output = tmp_path / "dummy.json"
    subprocess.run(
        [
            sys.executable,
            str(repo_root / "scripts" / "derive_instrument.py"),
            str(shared_dir / "protocol" / "instrument_dummy.json"),
            "-o",
            str(output),
        ],
        check=True,
        capture_output=True,
    )
    assert output.read_bytes() == packaged_dummy_path.read_bytes()


def test_params_schema_and_default_are_carried_over_unchanged(
    dummy: Instrument, upstream_dump: dict[str, Any]
) -> None:
    upstream = {
        spec["id_string"]: (spec["params"]["json_schema"], spec["params"]["default"])
        for spec in upstream_dump["workflows"]
    }
    shipped = {
        str(wid): (spec.params.json_schema, spec.params.default)
        for wid, spec in dummy.workflows.items()
    }
    assert shipped == upstream


def test_unset_pydantic_extra_becomes_ignore(
    derive_script: ModuleType, upstream_dump: dict[str, Any]
) -> None:
    derived = derive_script.derive(upstream_dump)
    extras = {spec["id"]: spec["params"]["extra"] for spec in derived["workflows"]}
    assert extras["dummy/panel_0_xy/1"] == "ignore"
    assert extras["dummy/total_counts/1"] == "forbid"


def test_unknown_dump_key_is_an_error_not_silently_dropped(
    derive_script: ModuleType, upstream_dump: dict[str, Any]
) -> None:
    dump = copy.deepcopy(upstream_dump)
    dump["workflows"][0]["new_upstream_field"] = 1
    with pytest.raises(derive_script.DerivationError, match="unknown keys"):
        derive_script.derive(dump)


def test_dropped_field_that_disagrees_with_kept_data_is_an_error(
    derive_script: ModuleType, upstream_dump: dict[str, Any]
) -> None:
    dump = copy.deepcopy(upstream_dump)
    dump["device_contract"]["devices"].pop()
    with pytest.raises(derive_script.DerivationError, match="device_contract"):
        derive_script.derive(dump)


def test_upstream_without_a_default_payload_is_an_error(
    derive_script: ModuleType, upstream_dump: dict[str, Any]
) -> None:
    dump = copy.deepcopy(upstream_dump)
    dump["workflows"][2]["params"]["default_error"] = "ValidationError: field required"
    with pytest.raises(derive_script.DerivationError, match="could not build a default"):
        derive_script.derive(dump)


def test_check_mode_fails_on_a_stale_file(
    repo_root: Path, shared_dir: Path, packaged_dummy_path: Path, tmp_path: Path
) -> None:
    stale = tmp_path / "dummy.json"
    stale.write_text(packaged_dummy_path.read_text("utf-8").replace("Readings", "Old"), "utf-8")
    result = subprocess.run(
        [
            sys.executable,
            str(repo_root / "scripts" / "derive_instrument.py"),
            str(shared_dir / "protocol" / "instrument_dummy.json"),
            "-o",
            str(stale),
            "--check",
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert (result.returncode, "is stale" in result.stderr) == (1, True)
