"""Small Panel builders shared by the Plots tab's parts."""

from __future__ import annotations

import panel as pn

from .styles import PLOTS_CSS


def icon_button(icon: str, description: str, *, color: str = "light") -> pn.widgets.Button:
    """A compact icon-only button with a tooltip."""
    return pn.widgets.Button(
        icon=icon,
        icon_size="18px",
        description=description,
        color=color,
        width=36,
        height=32,
        margin=(2, 1),
    )


def text_button(
    label: str, icon: str, *, color: str = "default", width: int = 120
) -> pn.widgets.Button:
    return pn.widgets.Button(label=label, icon=icon, color=color, width=width, margin=(2, 4))


def html(text: str = "", **params: object) -> pn.pane.HTML:
    """An HTML pane with the Plots tab's CSS."""
    return pn.pane.HTML(text, stylesheets=[PLOTS_CSS], **{"margin": (0, 4), **params})


def set_if_changed(obj: object, name: str, value: object) -> bool:
    """Set a Panel parameter only if it differs (an unchanged cell emits no event)."""
    if getattr(obj, name) == value:
        return False
    setattr(obj, name, value)
    return True


def click(button: pn.widgets.Button) -> None:
    """What a browser click does (for tests and keyboard shortcuts)."""
    button.clicks += 1
