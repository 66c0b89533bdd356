"""A layer's overlays (lines, rectangles, text) drawn over its figure, in data coordinates.

The glyphs of each overlay kind are created with the figure, only for the kinds the
layer has (:func:`overlay_kinds` is part of a presenter's signature); new coordinates
or labels of the same kinds replace the sources' data.
"""

from __future__ import annotations

from collections.abc import Sequence

from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from ....plots.model import Overlay
from .sources import replace

COLOUR = "#d0342c"


def overlay_kinds(overlays: Sequence[Overlay]) -> frozenset[str]:
    return frozenset(o.kind for o in overlays)


class Annotations:
    """The overlays of one layer on one figure."""

    def __init__(self, fig: figure, overlays: Sequence[Overlay]) -> None:
        self._drawn = tuple(overlays)
        self._sources: dict[str, ColumnDataSource] = {}
        kinds = overlay_kinds(overlays)
        if "line" in kinds:
            source = self._sources["line"] = ColumnDataSource(_columns("line", overlays))
            fig.segment(
                x0="x0",
                y0="y0",
                x1="x1",
                y1="y1",
                source=source,
                line_color=COLOUR,
                line_width=2,
                line_dash="dashed",
            )
        if "rect" in kinds:
            source = self._sources["rect"] = ColumnDataSource(_columns("rect", overlays))
            fig.quad(
                left="left",
                right="right",
                bottom="bottom",
                top="top",
                source=source,
                fill_color=COLOUR,
                fill_alpha=0.06,
                line_color=COLOUR,
                line_width=2,
            )
        if "text" in kinds:
            source = self._sources["text"] = ColumnDataSource(_columns("text", overlays))
            fig.text(
                x="x",
                y="y",
                text="text",
                source=source,
                text_color=COLOUR,
                text_font_size="13px",
                text_baseline="bottom",
                x_offset=4,
            )

    def update(self, overlays: Sequence[Overlay]) -> None:
        """Show ``overlays`` (of the same kinds as at construction)."""
        overlays = tuple(overlays)
        if overlays == self._drawn:
            return
        self._drawn = overlays
        for kind, source in self._sources.items():
            replace(source, _columns(kind, overlays))


def _columns(kind: str, overlays: Sequence[Overlay]) -> dict[str, list]:
    chosen = [o for o in overlays if o.kind == kind]
    if kind == "line":
        names = ("x0", "y0", "x1", "y1")
        return {n: [o.coordinates[i] for o in chosen] for i, n in enumerate(names)}
    if kind == "rect":
        return {
            "left": [min(o.coordinates[0], o.coordinates[2]) for o in chosen],
            "right": [max(o.coordinates[0], o.coordinates[2]) for o in chosen],
            "bottom": [min(o.coordinates[1], o.coordinates[3]) for o in chosen],
            "top": [max(o.coordinates[1], o.coordinates[3]) for o in chosen],
        }
    return {
        "x": [o.coordinates[0] for o in chosen],
        "y": [o.coordinates[1] for o in chosen],
        "text": [o.label for o in chosen],
    }
