"""One cell of a grid: a title bar with its layers' titles and buttons, and its plot.

The body shows the cell's plot (:class:`~.compose.CellPlot`) when at least one layer
has one (READY, or STOPPED with its last plot and a muted "stopped" badge over it),
else a placeholder saying what each layer waits for or the error it has
(:mod:`.placeholders`). Layers that are not drawn beside a plot are listed in a notes
line above it.

:meth:`CellView.show` does nothing when neither the cell's layers nor their view
versions changed; otherwise it sets only the Panel parameters whose value differs, and
swaps the plot pane only when the cell plot was rebuilt.

Stable hooks for browser tests and tools: the cell's outer column has the CSS classes
``ld-cell`` and ``ld-cell-<cell_id>``; each layer title in its header carries
``data-layer-id`` and ``data-layer-state`` (:func:`~.placeholders.header_html`).

Concurrency: built, refreshed and clicked on the session's UI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Protocol

import panel as pn
import structlog

from ...plots.layer_state import LayerState
from ...plots.model import Cell, Grid
from ...plots.views import LayerView
from ..workflows.confirm import ConfirmBar
from .arrange import ArrangeBar
from .compose import CellPlot, Drawable
from .icons import ARRANGE, EDIT, PLUS, TRASH
from .placeholders import (
    LayerMessage,
    LayerText,
    header_html,
    notes_html,
    placeholder_html,
    stopped_badge_html,
)
from .styles import BADGE_STYLES, CELL_STYLES, MUTED_PLOT
from .widgets import html, icon_button, set_if_changed

logger = structlog.get_logger(__name__)

_DRAWN = (LayerState.READY, LayerState.STOPPED)


class CellActions(Protocol):
    """What a cell's buttons ask of the Plots tab."""

    def add_layer(self, cell_id: uuid.UUID) -> None: ...

    def edit_layers(self, cell_id: uuid.UUID) -> None: ...

    def remove_cell(self, cell_id: uuid.UUID) -> str | None: ...

    def arrange(
        self, cell_id: uuid.UUID, *, row: int, col: int, row_span: int, col_span: int
    ) -> str | None: ...

    def set_slice(self, layer_id: uuid.UUID, index: int) -> None: ...


class CellView:
    """A cell's title bar, controls and plot (see the module docstring)."""

    def __init__(self, *, cell: Cell, grid: Grid, text: LayerText, actions: CellActions) -> None:
        self._text = text
        self._actions = actions
        self._cell = cell
        self._grid = grid
        self._shown: tuple[object, ...] | None = None
        self._closed = False
        self._logged: set[str] = set()
        self.plot = CellPlot(on_slice=actions.set_slice)
        self.header = html(sizing_mode="stretch_width", margin=(0, 6))
        self.add_button = icon_button(PLUS, "Add a layer to this cell")
        self.edit_button = icon_button(EDIT, "Edit this cell's plots")
        self.arrange_button = icon_button(ARRANGE, "Move or resize this cell")
        self.remove_button = icon_button(TRASH, "Remove this cell")
        self.add_button.on_click(lambda _e: self._act(lambda: actions.add_layer(self.cell_id)))
        self.edit_button.on_click(lambda _e: self._act(lambda: actions.edit_layers(self.cell_id)))
        self.arrange_button.on_click(lambda _e: self._open_arrange())
        self.remove_button.on_click(lambda _e: self._ask_remove())
        self.confirm = ConfirmBar()
        self.arrange = ArrangeBar(on_apply=self._arrange)
        self.notes = html(visible=False, sizing_mode="stretch_width")
        self.placeholder = html(sizing_mode="stretch_both", margin=0)
        self.plot_holder = pn.Column(sizing_mode="stretch_both", margin=0, visible=False)
        self.badge = html(visible=False, margin=0, styles=BADGE_STYLES)
        self.body = pn.Column(
            self.placeholder,
            self.plot_holder,
            self.badge,
            sizing_mode="stretch_both",
            margin=0,
            styles={"position": "relative"},
        )
        bar = pn.Row(
            self.header,
            self.add_button,
            self.edit_button,
            self.arrange_button,
            self.remove_button,
            sizing_mode="stretch_width",
            margin=(2, 4, 0, 4),
            styles={"border-bottom": "1px solid #eceff2"},
        )
        self.panel = pn.Column(
            bar,
            self.confirm.panel,
            self.arrange.panel,
            self.notes,
            self.body,
            sizing_mode="stretch_both",
            margin=4,
            styles=CELL_STYLES,
            # Stable hooks for tests and tools: every cell, and this cell by id.
            css_classes=["ld-cell", f"ld-cell-{cell.cell_id}"],
        )

    @property
    def cell_id(self) -> uuid.UUID:
        return self._cell.cell_id

    @property
    def cell(self) -> Cell:
        return self._cell

    @property
    def layer_ids(self) -> list[uuid.UUID]:
        return [layer.layer_id for layer in self._cell.layers]

    def set_config(self, cell: Cell, grid: Grid) -> None:
        """The cell's configuration changed (layers, place) or its grid's size did."""
        self._cell, self._grid = cell, grid

    def show(self, views: Mapping[uuid.UUID, LayerView]) -> None:
        """Draw the cell's layers from ``views`` (the latest view of every layer)."""
        if self._closed:
            return
        layers = self._cell.layers
        mine = [views.get(layer.layer_id) for layer in layers]
        versions = [None if v is None else v.version for v in mine]
        shown = (layers, tuple(versions))
        if shown == self._shown:
            return
        self._shown = shown
        titles = [self._text.title(layer) for layer in layers]
        drawables, waiting, stopped = [], [], []
        for layer, view, title in zip(layers, mine, titles, strict=True):
            if view is not None and view.plot is not None and view.state in _DRAWN:
                drawables.append(Drawable(layer.layer_id, title, view.plot))
                if view.state is LayerState.STOPPED:
                    stopped.append(title)
            else:
                waiting.append((title, self._text.message(layer, view)))
        try:
            result = self.plot.show(drawables)
        except Exception as err:  # noqa: BLE001 - one plot that cannot be drawn must not stop the rest
            self._log_once(err)
            result = self.plot.show([])
            failed = LayerMessage(f"Cannot draw this plot: {err}", tone="error")
            waiting = [*((d.title, failed) for d in drawables), *waiting]
            drawables, stopped = [], []
        if result.rebuilt:
            self.plot_holder.objects = [] if self.plot.panel is None else [self.plot.panel]
        left_out = [
            (d.title, LayerMessage(f"cannot be drawn over {drawables[0].title}", tone="muted"))
            for d in result.left_out
        ]
        has_plot = self.plot.panel is not None
        states = [None if v is None else v.state for v in mine]
        header = header_html(
            list(zip(titles, states, strict=True)), layer_ids=[la.layer_id for la in layers]
        )
        set_if_changed(self.header, "object", header)
        set_if_changed(self.placeholder, "object", "" if has_plot else placeholder_html(waiting))
        set_if_changed(self.placeholder, "visible", not has_plot)
        set_if_changed(self.plot_holder, "visible", has_plot)
        notes = notes_html([*waiting, *left_out]) if has_plot else ""
        set_if_changed(self.notes, "object", notes)
        set_if_changed(self.notes, "visible", bool(notes))
        drawn = len(drawables) - len(result.left_out)
        badge = stopped_badge_html(stopped, total=drawn) if has_plot else ""
        set_if_changed(self.badge, "object", badge)
        set_if_changed(self.badge, "visible", bool(badge))
        muted = has_plot and drawn > 0 and len(stopped) == drawn
        set_if_changed(self.plot_holder, "styles", MUTED_PLOT if muted else {})

    def _log_once(self, err: Exception) -> None:
        kind = type(err).__name__
        if kind not in self._logged:
            self._logged.add(kind)
            logger.error(
                "plot_draw_failed", cell_id=str(self.cell_id), error=repr(err), exc_info=err
            )

    def close(self) -> None:
        """Ignore further refreshes and clicks (idempotent)."""
        self._closed = True
        self.confirm.cancel()

    def _act(self, action: object) -> None:
        if not self._closed and callable(action):
            action()

    def _ask_remove(self) -> None:
        if self._closed:
            return
        count = len(self._cell.layers)
        what = "this empty cell" if not count else f"this cell and its {count} plot(s)"
        self.confirm.ask(
            f"Remove {what} for every session?",
            lambda: self._report(self._actions.remove_cell(self.cell_id)),
            confirm_label="Remove",
        )

    def _open_arrange(self) -> None:
        if self._closed:
            return
        cell, grid = self._cell, self._grid
        self.arrange.open(
            row=cell.row,
            col=cell.col,
            row_span=cell.row_span,
            col_span=cell.col_span,
            nrows=grid.nrows,
            ncols=grid.ncols,
        )

    def _arrange(self, row: int, col: int, row_span: int, col_span: int) -> str | None:
        return self._actions.arrange(
            self.cell_id, row=row, col=col, row_span=row_span, col_span=col_span
        )

    def _report(self, problem: str | None) -> None:
        text = ""
        if problem:
            text = notes_html([("Cannot remove", LayerMessage(problem, tone="error"))])
        set_if_changed(self.notes, "object", text)
        set_if_changed(self.notes, "visible", bool(text))
