"""Payload paths: reading and writing nested values, and placing validation messages.

:meth:`livedash.instruments.ParamsSpec.validate` reports each problem as
``"<path>: <message>"`` with a path such as ``toa_edges.num_bins`` or ``items[2].x``
(``<root>`` for the payload as a whole). :func:`errors_by_field` maps each message to
the deepest form field whose path is a prefix of the problem's path, so the message is
shown next to the widget that can fix it; messages no field claims stay form-level.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

Path = tuple[str | int, ...]
ROOT = "<root>"
_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")
_MISSING = object()


def parse_path(text: str) -> Path:
    """``"toa_edges.num_bins"`` -> ``("toa_edges", "num_bins")``; ``"a[0]"`` -> ``("a", 0)``."""
    if text in ("", ROOT):
        return ()
    return tuple(
        int(index) if index else key for index, key in _TOKEN.findall(text) if index or key
    )


def split_message(message: str) -> tuple[Path, str]:
    """Split a validation message into the problem's path and the text after it."""
    head, sep, text = message.partition(": ")
    if not sep:
        return (), message
    return parse_path(head), text


def errors_by_field(
    messages: Iterable[str], field_paths: Iterable[tuple[str, ...]]
) -> tuple[dict[tuple[str, ...], list[str]], list[str]]:
    """Assign each message to the deepest field whose path prefixes the problem's path.

    Returns ``(by_field, unplaced)``: the texts (path stripped) per field path, and the
    full messages that no field claims (problems with the payload as a whole).
    """
    paths = sorted(set(field_paths), key=len, reverse=True)
    by_field: dict[tuple[str, ...], list[str]] = {}
    unplaced: list[str] = []
    for message in messages:
        problem, text = split_message(message)
        owner = next((p for p in paths if p and problem[: len(p)] == p), None)
        if owner is None:
            unplaced.append(message)
        else:
            by_field.setdefault(owner, []).append(text)
    return by_field, unplaced


def get_path(payload: Any, path: Path, default: Any = None) -> Any:
    """The value at ``path`` in nested dicts/lists, or ``default`` if it is not there."""
    current = payload
    for part in path:
        if isinstance(part, int) and isinstance(current, list) and -len(current) <= part:
            current = current[part] if part < len(current) else _MISSING
        elif isinstance(part, str) and isinstance(current, Mapping):
            current = current.get(part, _MISSING)
        else:
            current = _MISSING
        if current is _MISSING:
            return default
    return current


def set_path(payload: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at ``path``, creating (or replacing non-dict) parents as dicts."""
    if not path:
        raise ValueError("path must name a field, got an empty path")
    current = payload
    for part in path[:-1]:
        child = current.get(part)
        if not isinstance(child, dict):
            child = {}
            current[part] = child
        current = child
    current[path[-1]] = copy.deepcopy(value)
