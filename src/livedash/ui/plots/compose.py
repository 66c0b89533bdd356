"""The plot of one cell: its drawable layers' presenters, overlaid in one figure.

The first drawable layer (bottom first) builds the figure; later layers of a
compatible line kind (:func:`~.presenters.can_overlay`) draw into it, each in its own
colour with a legend entry; other layers are not drawn (the cell lists them). The
cell's *key* is the drawn layers' ids and presenter signatures: while it stays the
same, :meth:`CellPlot.show` only updates the presenters in place; when it changes the
presenters are rebuilt (a new layer id, another shape, a layer added or removed).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import panel as pn

from ...plots.state import PlotState, Signature
from .presenters import Presenter, build_presenter, can_overlay, presenter_signature

SliceHandler = Callable[[uuid.UUID, int], None]


@dataclass(frozen=True)
class Drawable:
    """A layer with a plot to draw."""

    layer_id: uuid.UUID
    title: str
    state: PlotState


@dataclass(frozen=True)
class Shown:
    """What :meth:`CellPlot.show` did: rebuilt or updated, and which layers it left out."""

    rebuilt: bool
    left_out: tuple[Drawable, ...]


class CellPlot:
    """Presenters of one cell (see the module docstring). Counts builds and updates."""

    def __init__(self, *, on_slice: SliceHandler | None = None) -> None:
        self._on_slice = on_slice
        self._key: tuple[tuple[uuid.UUID, Signature], ...] | None = None
        self._presenters: list[Presenter] = []
        self.panel: pn.viewable.Viewable | None = None
        self.builds = 0
        self.updates = 0

    @property
    def presenters(self) -> list[Presenter]:
        return list(self._presenters)

    def show(self, drawables: Sequence[Drawable]) -> Shown:
        """Draw ``drawables`` (bottom first); an empty list drops the plot."""
        if not drawables:
            rebuilt = self._key is not None
            self._key, self._presenters, self.panel = None, [], None
            return Shown(rebuilt=rebuilt, left_out=())
        base = drawables[0]
        drawn = [base, *(d for d in drawables[1:] if can_overlay(base.state, d.state))]
        left_out = tuple(d for d in drawables if d not in drawn)
        key = tuple((d.layer_id, presenter_signature(d.state)) for d in drawn)
        if key == self._key:
            try:
                for presenter, drawable in zip(self._presenters, drawn, strict=True):
                    presenter.update(drawable.state)
            except Exception:
                self._key = None  # the next state rebuilds instead of updating a broken plot
                raise
            self.updates += 1
            return Shown(rebuilt=False, left_out=left_out)
        self._key = None
        self._build(drawn)
        self._key = key
        self.builds += 1
        return Shown(rebuilt=True, left_out=left_out)

    def _build(self, drawn: list[Drawable]) -> None:
        legend = len(drawn) > 1
        base = drawn[0]
        first = build_presenter(
            base.state,
            legend=base.title if legend else "",
            on_slice=self._slice_handler(base.layer_id),
        )
        presenters = [first]
        fig = getattr(first, "figure", None)
        for index, drawable in enumerate(drawn[1:], start=1):
            presenters.append(
                build_presenter(drawable.state, fig=fig, index=index, legend=drawable.title)
            )
        self._presenters = presenters
        self.panel = first.panel

    def _slice_handler(self, layer_id: uuid.UUID) -> Callable[[int], None] | None:
        on_slice = self._on_slice
        if on_slice is None:
            return None
        return lambda index: on_slice(layer_id, index)
