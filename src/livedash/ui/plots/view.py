"""The Plots tab: tabs of grids of live plots, their editing, and the conflict banner.

:meth:`PlotsView.refresh` (the session's periodic callback, inside ``pn.io.hold()`` and
``doc.models.freeze()``):

1. pulls ``plots.changed_since(versions)``: the layers whose view changed;
2. if the store's version moved, reads the layout and rebuilds the grid structure only
   where the :class:`~livedash.plots.model.GridSet` changed (cells are kept by id, new
   ones drawn once from the latest views), and shows the store's overwrite notices;
3. hands the changed layers to their cells, which update their presenters in place
   (or rebuild a presenter whose shape signature changed).

With nothing changed it costs two version reads and touches no widget. Edits from the
dialog, the grid form and the cells' buttons go through :class:`~.edits.LayoutEditor`
(``write_layout(store, new, base=snapshot)``); what other sessions see, this one sees
too once the records come back from the store's topic.

Concurrency: built, refreshed, clicked and closed on the session's UI thread.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from html import escape

import panel as pn

from ...instruments import Instrument
from ...plots import editing
from ...plots.model import Cell, Grid, GridSet, LayerConfig
from ...plots.views import LayerView
from ...protocol.ids import WorkflowId
from ...store import read_layout
from ..workflows.confirm import ConfirmBar
from .banner import ConflictBanner
from .cell import CellView
from .dialog import DialogTarget, PlotDialog
from .edits import LayoutEditor, change_grid, place_cell, save_layers
from .grid import GridView
from .grid_form import GridForm
from .icons import PLUS, SETTINGS, TRASH
from .placeholders import LayerText
from .protocols import LayerSource, LayoutStore, WorkflowStates
from .tabs import GridTabs
from .widgets import html, set_if_changed, text_button

LOADING = '<div class="ld-empty">Loading the plot layout…</div>'
NO_GRIDS = '<div class="ld-empty">No grids yet: add one with “New grid”.</div>'


class PlotsView:
    """The Plots tab (see the module docstring)."""

    def __init__(
        self,
        *,
        plots: LayerSource,
        store: LayoutStore,
        instrument: Instrument,
        jobs: WorkflowStates,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._plots = plots
        self._store = store
        self._instrument = instrument
        self._jobs = jobs
        self._clock = clock
        self._closed = False
        self._versions: dict[uuid.UUID, int] = {}
        self._latest: dict[uuid.UUID, LayerView] = {}
        self._store_version: int | None = None
        self._gridset: GridSet | None = None
        self._editor = LayoutEditor(store=store)
        self._text = LayerText(instrument=instrument, running=self._running)
        self.banner = ConflictBanner(dismiss=store.dismiss_conflict)
        self.dialog = PlotDialog(
            instrument=instrument,
            on_save=self._save,
            on_remove=self._remove_layer,
            running=self._running,
        )
        self.grid_form = GridForm(on_submit=self._submit_grid)
        self.confirm = ConfirmBar()
        self.new_grid_button = text_button("New grid", PLUS, width=130)
        self.grid_settings_button = text_button("Grid settings", SETTINGS, width=150)
        self.remove_grid_button = text_button("Remove grid", TRASH, width=150)
        self.new_grid_button.on_click(lambda _e: self.grid_form.open_new())
        self.grid_settings_button.on_click(lambda _e: self._open_settings())
        self.remove_grid_button.on_click(lambda _e: self._ask_remove_grid())
        self.message = html(visible=False)
        self.empty = html(LOADING)
        self.grid_tabs = GridTabs(make_cell=self._make_cell, add_at=self._add_at)
        toolbar = pn.Row(
            self.new_grid_button, self.grid_settings_button, self.remove_grid_button, margin=0
        )
        self._panel = pn.Column(
            toolbar,
            self.grid_form.panel,
            self.confirm.panel,
            self.banner.panel,
            self.message,
            self.dialog.panel,
            self.empty,
            self.grid_tabs.tabs,
            sizing_mode="stretch_width",
            margin=(4, 8),
        )
        self.refresh()

    @property
    def panel(self) -> pn.viewable.Viewable:
        return self._panel

    @property
    def editor(self) -> LayoutEditor:
        return self._editor

    @property
    def grids(self) -> dict[uuid.UUID, GridView]:
        return self.grid_tabs.grids

    @property
    def tabs(self) -> pn.Tabs:
        return self.grid_tabs.tabs

    def cell_of(self, layer_id: uuid.UUID) -> CellView | None:
        return self.grid_tabs.cell_of(layer_id)

    def stats(self) -> dict[str, int]:
        """Presenter builds and in-place updates over all cells, and what is held."""
        cells = [c for g in self.grid_tabs.grids.values() for c in g.cells.values()]
        return {
            "builds": sum(c.plot.builds for c in cells),
            "updates": sum(c.plot.updates for c in cells),
            "cells": len(cells),
            "layers": len(self._latest),
        }

    def refresh(self) -> None:
        """Pull what changed and update only that (see the module docstring)."""
        if self._closed:
            return
        changes = self._plots.changed_since(self._versions)
        for layer_id in changes.removed:
            self._versions.pop(layer_id, None)
            self._latest.pop(layer_id, None)
        for layer_id, view in changes.changed.items():
            self._versions[layer_id] = view.version
            self._latest[layer_id] = view
        version = self._store.version
        if version != self._store_version:
            self._store_version = version
            snapshot = read_layout(self._store)  # type: ignore[arg-type]
            self._editor.observe(snapshot)
            self._show_layout(None if snapshot is None else snapshot.gridset)
            self.banner.show(self._store.conflicts(), self._gridset)
        for layer_id in (*changes.changed, *changes.removed):
            cell = self.grid_tabs.cell_of(layer_id)
            if cell is not None:
                cell.show(self._latest)

    def close(self) -> None:
        """Stop refreshing and ignore clicks (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.dialog.close()
        self.confirm.cancel()
        self.grid_tabs.close()

    # -- layout -------------------------------------------------------------------

    def _show_layout(self, gridset: GridSet | None) -> None:
        if gridset == self._gridset and gridset is not None:
            return
        self._gridset = gridset
        self.grid_tabs.show(gridset or GridSet(), self._latest)
        has_grids = bool(gridset and gridset.grids)
        set_if_changed(self.empty, "object", LOADING if gridset is None else NO_GRIDS)
        set_if_changed(self.empty, "visible", not has_grids)
        for button in (self.grid_settings_button, self.remove_grid_button):
            set_if_changed(button, "disabled", not has_grids)

    def _make_cell(self, cell: Cell, grid: Grid) -> CellView:
        return CellView(cell=cell, grid=grid, text=self._text, actions=self)

    def _running(self, workflow_id: WorkflowId) -> bool:
        try:
            return self._jobs.workflow_state(workflow_id).running
        except KeyError:
            return False

    # -- actions (CellActions and the toolbar) --------------------------------------

    def add_layer(self, cell_id: uuid.UUID) -> None:
        self.dialog.open_new(DialogTarget(cell_id=cell_id), heading="Add a layer")

    def edit_layers(self, cell_id: uuid.UUID) -> None:
        view = self.grid_tabs.find_cell(cell_id)
        layers = [(self._text.title(la), la) for la in view.cell.layers] if view else []
        self.dialog.open_edit(DialogTarget(cell_id=cell_id), layers)

    def remove_cell(self, cell_id: uuid.UUID) -> str | None:
        return self._edit(lambda g: editing.remove_cell(g, cell_id))

    def arrange(
        self, cell_id: uuid.UUID, *, row: int, col: int, row_span: int, col_span: int
    ) -> str | None:
        return self._edit(
            lambda g: place_cell(g, cell_id, row=row, col=col, row_span=row_span, col_span=col_span)
        )

    def set_slice(self, layer_id: uuid.UUID, index: int) -> None:
        """The slicer's slider moved: a session-local param, drawn at once."""
        if self._closed or not self._plots.set_local_params(layer_id, slice_index=index):
            return
        view = self._plots.view(layer_id)
        cell = self.grid_tabs.cell_of(layer_id)
        if view is not None and cell is not None and self._versions.get(layer_id) != view.version:
            self._versions[layer_id] = view.version
            self._latest[layer_id] = view
            cell.show(self._latest)

    def _add_at(self, grid_id: uuid.UUID, row: int, col: int) -> None:
        self.dialog.open_new(DialogTarget(grid_id=grid_id, row=row, col=col))

    def _save(
        self, target: DialogTarget, layers: list[LayerConfig], replacing: uuid.UUID | None
    ) -> str | None:
        return self._edit(
            lambda g: save_layers(
                g,
                layers,
                cell_id=target.cell_id,
                grid_id=target.grid_id,
                row=target.row,
                col=target.col,
                replacing=replacing,
            )
        )

    def _remove_layer(self, layer_id: uuid.UUID) -> str | None:
        return self._edit(lambda g: editing.remove_layer(g, layer_id))

    def _submit_grid(
        self, grid_id: uuid.UUID | None, title: str, nrows: int, ncols: int
    ) -> str | None:
        if grid_id is None:
            grid = Grid(title=title, nrows=nrows, ncols=ncols)
            return self._edit(lambda g: editing.add_grid(g, grid))
        return self._edit(lambda g: change_grid(g, grid_id, title=title, nrows=nrows, ncols=ncols))

    def _open_settings(self) -> None:
        active = self.grid_tabs.active_grid()
        if active is not None:
            self.grid_form.open_settings(active.grid)

    def _ask_remove_grid(self) -> None:
        active = self.grid_tabs.active_grid()
        if active is None:
            return
        grid_id, title = active.grid.grid_id, active.grid.title
        self.confirm.ask(
            f"Remove grid “{title}” and its plots for every session?",
            lambda: self._report(self._edit(lambda g: editing.remove_grid(g, grid_id))),
            confirm_label="Remove",
        )

    def _edit(self, change: Callable[[GridSet], GridSet]) -> str | None:
        if self._closed:
            return "The session is closed."
        return self._editor.apply(change)

    def _report(self, problem: str | None) -> None:
        text = f'<div class="ld-error-line">{escape(problem)}</div>' if problem else ""
        set_if_changed(self.message, "object", text)
        set_if_changed(self.message, "visible", bool(problem))
