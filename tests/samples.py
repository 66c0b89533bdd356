"""Locating the shared wire test vectors and parametrising tests over their manifest.

The vectors live outside the repository, in ``../shared/protocol/samples`` beside the
repository root (PROTOCOL.md, "Data that goes with this file"); the environment variable
``LIVEDASH_PROTOCOL_SAMPLES`` points elsewhere (e.g. at another split of the vectors).
When no folder is found, every sample test is skipped with the paths that were tried.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

SAMPLES_ENV = "LIVEDASH_PROTOCOL_SAMPLES"
_RELATIVE = Path("shared") / "protocol" / "samples"


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return here.parents[2]


def _candidates() -> list[Path]:
    override = os.environ.get(SAMPLES_ENV)
    found = [Path(override)] if override else []
    # ../shared beside the repository root first, then any ancestor's shared/ folder.
    found.extend(parent / _RELATIVE for parent in _repo_root().parents)
    return found


@cache
def samples_dir() -> Path | None:
    """The folder holding ``manifest.json`` and the vectors, or None if absent."""
    for candidate in _candidates():
        if (candidate / "manifest.json").is_file():
            return candidate.resolve()
    return None


def missing_reason() -> str:
    tried = ", ".join(str(path) for path in _candidates())
    return f"protocol samples not found (set {SAMPLES_ENV}); tried: {tried}"


@cache
def manifest() -> dict[str, Any]:
    folder = samples_dir()
    if folder is None:
        return {"vectors": []}
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def vector_params(*kinds: str) -> list[Any]:
    """One ``pytest.param(name)`` per manifest vector of ``kinds`` (all kinds if none).

    Yields a single skipped parameter when the samples folder is absent, so that the
    absence is reported instead of silently collecting nothing.
    """
    if samples_dir() is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=missing_reason()), id="absent")]
    return [
        pytest.param(vector["name"], id=vector["name"])
        for vector in manifest()["vectors"]
        if not kinds or vector["kind"] in kinds
    ]


def representative_vectors() -> list[str]:
    """The smallest vector of each kind in the manifest (empty if the folder is absent)."""
    folder = samples_dir()
    if folder is None:
        return []
    smallest: dict[str, tuple[int, str]] = {}
    for vector in manifest()["vectors"]:
        size = (folder / vector["bin"]).stat().st_size
        best = smallest.get(vector["kind"])
        if best is None or size < best[0]:
            smallest[vector["kind"]] = (size, vector["name"])
    return sorted(name for _, name in smallest.values())


def load_vector(name: str) -> tuple[bytes, dict[str, Any]]:
    """The ``.bin`` bytes and the parsed sidecar of vector ``name``."""
    folder = samples_dir()
    if folder is None:
        pytest.skip(missing_reason())
    entry = next(v for v in manifest()["vectors"] if v["name"] == name)
    payload = (folder / entry["bin"]).read_bytes()
    sidecar = json.loads((folder / entry["sidecar"]).read_text(encoding="utf-8"))
    return payload, sidecar


def vector_names(prefix: str = "") -> list[str]:
    """Names of the manifest's vectors that start with ``prefix`` (empty if absent)."""
    return sorted(v["name"] for v in manifest()["vectors"] if v["name"].startswith(prefix))
