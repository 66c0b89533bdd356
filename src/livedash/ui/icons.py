"""Small inline SVG icons for tool buttons (``pn.widgets.Button(icon=...)``).

Panel renders an ``icon`` that starts with ``<svg`` as an embedded SVG; any other string
is looked up on the tabler-icons CDN, which a control-room network may not reach. So
every icon livedash uses is here, as a self-contained 24x24 outline drawn in
``currentColor`` (it takes the button's text colour). Shapes follow tabler-icons (MIT).
"""

from __future__ import annotations

_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round">'
)
_CLOSE = "</svg>"


def _icon(*paths: str) -> str:
    return _OPEN + "".join(f'<path d="{d}"/>' for d in paths) + _CLOSE


PLAY = _icon("M7 4v16l13 -8z")
STOP = _icon("M5 5m0 2a2 2 0 0 1 2 -2h10a2 2 0 0 1 2 2v10a2 2 0 0 1 -2 2h-10a2 2 0 0 1 -2 -2z")
RESET = _icon("M20 11a8.1 8.1 0 0 0 -15.5 -2m-.5 -4v4h4", "M4 13a8.1 8.1 0 0 0 15.5 2m.5 4v-4h-4")
RESTART = _icon("M4.05 11a8 8 0 1 1 .5 4m-.5 5v-5h5")
REFRESH = RESET
WARNING = _icon(
    "M12 9v4",
    "M10.363 3.591l-8.106 13.534a1.914 1.914 0 0 0 1.636 2.871h16.214a1.914 1.914 0 0 0 "
    "1.636 -2.87l-8.106 -13.536a1.914 1.914 0 0 0 -3.274 0z",
    "M12 16h.01",
)
CHECK = _icon("M5 12l5 5l10 -10")
CANCEL = _icon("M18 6l-12 12", "M6 6l12 12")
DEFAULTS = _icon("M9 14l-4 -4l4 -4", "M5 10h11a4 4 0 1 1 0 8h-1")

ALL: dict[str, str] = {
    "play": PLAY,
    "stop": STOP,
    "reset": RESET,
    "restart": RESTART,
    "refresh": REFRESH,
    "warning": WARNING,
    "check": CHECK,
    "cancel": CANCEL,
    "defaults": DEFAULTS,
}
