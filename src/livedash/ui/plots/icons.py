"""Inline SVG icons of the Plots tab (same 24x24 outline style as :mod:`livedash.ui.icons`;
shapes follow tabler-icons, MIT)."""

from __future__ import annotations

from ..icons import CANCEL, CHECK

_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round">'
)


def _icon(*paths: str) -> str:
    return _OPEN + "".join(f'<path d="{d}"/>' for d in paths) + "</svg>"


PLUS = _icon("M12 5l0 14", "M5 12l14 0")
EDIT = _icon(
    "M4 20h4l10.5 -10.5a2.828 2.828 0 1 0 -4 -4l-10.5 10.5v4",
    "M13.5 6.5l4 4",
)
TRASH = _icon(
    "M4 7l16 0",
    "M10 11l0 6",
    "M14 11l0 6",
    "M5 7l1 12a2 2 0 0 0 2 2h8a2 2 0 0 0 2 -2l1 -12",
    "M9 7v-3a1 1 0 0 1 1 -1h4a1 1 0 0 1 1 1v3",
)
ARRANGE = _icon(
    "M18 9l3 3l-3 3",
    "M15 12h6",
    "M6 9l-3 3l3 3",
    "M3 12h6",
    "M9 18l3 3l3 -3",
    "M12 15v6",
    "M15 6l-3 -3l-3 3",
    "M12 3v6",
)
SETTINGS = _icon(
    "M4 6l8 0",
    "M16 6l4 0",
    "M4 12l2 0",
    "M10 12l10 0",
    "M4 18l11 0",
    "M19 18l1 0",
    "M14 4a2 2 0 1 0 0 4a2 2 0 1 0 0 -4",
    "M8 10a2 2 0 1 0 0 4a2 2 0 1 0 0 -4",
    "M17 16a2 2 0 1 0 0 4a2 2 0 1 0 0 -4",
)

__all__ = ["ARRANGE", "CANCEL", "CHECK", "EDIT", "PLUS", "SETTINGS", "TRASH"]
