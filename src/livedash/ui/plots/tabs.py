"""The grids of the layout as tabs: one :class:`~.grid.GridView` per grid, by id.

:meth:`GridTabs.show` is called only when the layout (a
:class:`~livedash.plots.model.GridSet`) changed. Grid views are kept by ``grid_id``
(their cells, and the cells' plots, survive edits of other grids); the tab list is
reassigned only when the grids' ids, order or titles changed, keeping the active grid.
A tab's title is fixed per object, so a renamed grid gets a new wrapper
(:meth:`GridView.rewrap`). Also answers which cell draws a layer.

Concurrency: used on the session's UI thread only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import panel as pn

from ...plots.model import GridSet
from ...plots.views import LayerView
from .cell import CellView
from .grid import AddAt, GridView, MakeCell


class GridTabs:
    """See the module docstring."""

    def __init__(self, *, make_cell: MakeCell, add_at: AddAt) -> None:
        self._make_cell = make_cell
        self._add_at = add_at
        self._grids: dict[uuid.UUID, GridView] = {}
        self._cell_of: dict[uuid.UUID, CellView] = {}
        self._entries: list[tuple[uuid.UUID, str]] = []
        self.tabs = pn.Tabs(sizing_mode="stretch_width", margin=0, visible=False)

    @property
    def grids(self) -> dict[uuid.UUID, GridView]:
        return dict(self._grids)

    def cell_of(self, layer_id: uuid.UUID) -> CellView | None:
        return self._cell_of.get(layer_id)

    def find_cell(self, cell_id: uuid.UUID) -> CellView | None:
        for view in self._grids.values():
            cell = view.cells.get(cell_id)
            if cell is not None:
                return cell
        return None

    def active_grid(self) -> GridView | None:
        """The grid of the tab shown, if any."""
        if not self._entries or not 0 <= self.tabs.active < len(self._entries):
            return None
        return self._grids.get(self._entries[self.tabs.active][0])

    def show(self, gridset: GridSet, views: Mapping[uuid.UUID, LayerView]) -> None:
        """Show ``gridset``; new cells draw their layers once from ``views``."""
        wanted = {grid.grid_id for grid in gridset.grids}
        for grid_id in [g for g in self._grids if g not in wanted]:
            self._grids.pop(grid_id).close()
        renamed = []
        for grid in gridset.grids:
            view = self._grids.get(grid.grid_id)
            if view is None:
                self._grids[grid.grid_id] = GridView(
                    grid=grid, make_cell=self._make_cell, add_at=self._add_at
                )
                continue
            if view.grid.title != grid.title:
                renamed.append(view)
            view.set_grid(grid)
        cells = [cell for view in self._grids.values() for cell in view.cells.values()]
        self._cell_of = {layer_id: cell for cell in cells for layer_id in cell.layer_ids}
        for cell in cells:
            cell.show(views)
        entries = [(g.grid_id, g.title) for g in gridset.grids]
        if entries != self._entries:
            active = self.active_grid()
            for view in renamed:
                view.rewrap()
            self.tabs[:] = [(g.title, self._grids[g.grid_id].panel) for g in gridset.grids]
            ids = [grid_id for grid_id, _title in entries]
            if ids:
                chosen = active.grid.grid_id if active is not None else None
                self.tabs.active = ids.index(chosen) if chosen in ids else 0
            self._entries = entries
        if self.tabs.visible != bool(entries):
            self.tabs.visible = bool(entries)

    def close(self) -> None:
        for view in self._grids.values():
            view.close()
