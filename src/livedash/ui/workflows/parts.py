"""Small builders shared by the workflow card's widgets."""

from __future__ import annotations

import panel as pn

from ...instruments import SourceInfo
from .styles import CARD_CSS


def source_label(name: str, info: SourceInfo | None) -> str:
    """``"Monitor 1 (monitor1)"``, or just the name when the title adds nothing."""
    if info is None or info.title == name:
        return name
    return f"{info.title} ({name})"


def html_pane(**params: object) -> pn.pane.HTML:
    """An empty HTML pane with the card's CSS."""
    return pn.pane.HTML("", stylesheets=[CARD_CSS], **{"margin": (2, 4), **params})


def button(label: str, icon: str, *, color: str, width: int = 110) -> pn.widgets.Button:
    """A tool button with an embedded SVG icon."""
    return pn.widgets.Button(label=label, icon=icon, color=color, width=width, margin=(2, 4))


def set_if_changed(obj: object, name: str, value: object) -> None:
    """Set a Panel parameter only if it differs, so an unchanged card emits no event."""
    if getattr(obj, name) != value:
        setattr(obj, name, value)
