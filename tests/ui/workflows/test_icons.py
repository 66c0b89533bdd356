"""The embedded SVG icons of the tool buttons."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import panel as pn
import pytest

from livedash.ui import icons


@pytest.mark.parametrize("name", sorted(icons.ALL))
def test_every_icon_is_a_self_contained_svg(name: str) -> None:
    svg = icons.ALL[name]
    root = ET.fromstring(svg)  # noqa: S314 - our own constant, not untrusted input
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "href" not in svg
    assert "<script" not in svg


def test_a_button_renders_an_icon_as_embedded_svg_not_a_cdn_lookup() -> None:
    model = pn.widgets.Button(label="Start", icon=icons.PLAY).get_root()
    assert type(model.icon).__name__ == "SVGIcon"
    assert model.icon.svg == icons.PLAY
