"""Finding and reading instrument data files.

An instrument ``<name>`` is described by one file ``<name>.json``. Files are looked up in
the directories listed in the environment variable ``LIVEDASH_INSTRUMENT_PATH``
(``os.pathsep``-separated, searched in order), then among the files shipped in the
package (``livedash/instruments/data``). A file found on the path therefore overrides a
shipped one of the same name, which lets operators add or patch an instrument without a
code change.
"""

from __future__ import annotations

import functools
import json
import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import structlog
from pydantic import ValidationError

from .errors import InstrumentFileError, UnknownInstrumentError
from .instrument import INSTRUMENT_NAME, Instrument

logger = structlog.get_logger(__name__)

INSTRUMENT_PATH_ENV = "LIVEDASH_INSTRUMENT_PATH"


def load_instrument(name: str) -> Instrument:
    """The validated description of instrument ``name``.

    Cached per name and per value of ``LIVEDASH_INSTRUMENT_PATH``: a file edited on disk
    is not re-read by the same process. Raises :class:`UnknownInstrumentError` if no file
    describes ``name`` and :class:`InstrumentFileError` if the file is malformed.

    Safe to call from several threads; two racing first calls may both parse the file.
    """
    if not isinstance(name, str) or not INSTRUMENT_NAME.match(name):
        raise UnknownInstrumentError(f"invalid instrument name {name!r}")
    return _load_cached(name, _search_dirs())


def available_instruments() -> list[str]:
    """Names of every instrument with a data file on the path or in the package, sorted."""
    entries = list(_packaged_dir().iterdir())
    for directory in _search_dirs():
        if directory.is_dir():
            entries.extend(directory.iterdir())
    return sorted({_stem(entry) for entry in entries} - {""})


def read_instrument_file(path: Path | str) -> Instrument:
    """Read and validate one instrument file, uncached; the file must be ``<name>.json``."""
    path = Path(path)
    return _parse(path, expected_name=path.stem)


@functools.cache
def _load_cached(name: str, search_dirs: tuple[Path, ...]) -> Instrument:
    for directory in search_dirs:
        candidate = directory / f"{name}.json"
        if candidate.is_file():
            if _packaged_dir().joinpath(f"{name}.json").is_file():
                logger.warning(
                    "instrument file on the path overrides the packaged one",
                    instrument=name,
                    path=str(candidate),
                    env=INSTRUMENT_PATH_ENV,
                )
            return _parse(candidate, expected_name=name)
    packaged = _packaged_dir().joinpath(f"{name}.json")
    if packaged.is_file():
        return _parse(packaged, expected_name=name)
    searched = [str(directory) for directory in search_dirs] + ["<package data>"]
    raise UnknownInstrumentError(
        f"unknown instrument {name!r}; available: {', '.join(available_instruments())}; "
        f"searched {INSTRUMENT_PATH_ENV} directories and package data: {', '.join(searched)}"
    )


def _parse(source: Path | Traversable, *, expected_name: str) -> Instrument:
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise InstrumentFileError(f"{source}: cannot read instrument file: {err}") from None
    except json.JSONDecodeError as err:
        raise InstrumentFileError(
            f"{source}: not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}"
        ) from None
    if not isinstance(data, dict):
        raise InstrumentFileError(f"{source}: top level must be a JSON object")
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as err:
        raise InstrumentFileError(f"{source}: {_describe(err)}") from None
    if instrument.name != expected_name:
        raise InstrumentFileError(
            f"{source}: declares instrument {instrument.name!r} but the file is named "
            f"{expected_name!r}.json"
        )
    logger.debug(
        "instrument loaded",
        instrument=instrument.name,
        source=str(source),
        workflows=len(instrument.workflows),
    )
    return instrument


def _describe(err: ValidationError) -> str:
    lines = []
    for item in err.errors(include_url=False):
        location = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]
        ).removeprefix(".")
        # A cross-reference check reports several problems at once, one per line.
        for message in item["msg"].removeprefix("Value error, ").splitlines():
            lines.append(f"{location}: {message}" if location else message)
    return f"{len(lines)} problem(s):\n  " + "\n  ".join(lines)


def _search_dirs() -> tuple[Path, ...]:
    raw = os.environ.get(INSTRUMENT_PATH_ENV, "")
    return tuple(Path(entry).expanduser() for entry in raw.split(os.pathsep) if entry)


def _packaged_dir() -> Traversable:
    return resources.files("livedash.instruments").joinpath("data")


def _stem(entry: Path | Traversable) -> str:
    if not entry.name.endswith(".json") or not entry.is_file():
        return ""
    stem = entry.name.removesuffix(".json")
    return stem if INSTRUMENT_NAME.match(stem) else ""
