"""The plot layout in the configuration store: a grid index plus one document per grid.

:func:`read_layout` assembles a :class:`~livedash.plots.model.GridSet` from the ``grids``
index and the ``grid/<id>`` documents, with the versions it read them at (a
:class:`LayoutSnapshot`). :func:`write_layout` publishes an edited set against the
snapshot it was edited from: only the grids that changed are written (each against the
version the snapshot read), new grids before the index that lists them, deletions of
removed grids after it, so a reader never finds the index naming a grid that was
never written. Concurrent edits of different grids therefore do not collide; concurrent
edits of one grid are decided by the log, and the loser is told (store conflicts).

:func:`seed_layout_if_missing` gives a fresh topic the instrument's grid templates.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog

from ..instruments import Instrument
from ..plots.model import Grid, GridSet
from ..plots.templates import grids_from_templates
from .config_store import ConfigStore
from .documents import GRIDS_DOC, GridIndex, grid_doc

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class LayoutSnapshot:
    """A layout as read, with the version of every document it was built from."""

    gridset: GridSet
    versions: Mapping[str, int] = field(default_factory=dict)
    store_version: int = 0


def read_layout(store: ConfigStore) -> LayoutSnapshot | None:
    """The layout in ``store``, or None if it has no ``grids`` index yet.

    Grids the index names but the store lacks are left out (not written yet, or
    deleted); a grid that would make the set invalid (an id used by an earlier grid) is
    left out and logged.
    """
    store_version = store.version
    index = store.get(GRIDS_DOC)
    if index is None or not isinstance(index.body, GridIndex):
        return None
    versions = {GRIDS_DOC: index.version}
    gridset = GridSet()
    for grid_id in index.body.grid_ids:
        document = store.get(grid_doc(grid_id))
        if document is None or not isinstance(document.body, Grid):
            continue
        try:
            gridset = GridSet(grids=(*gridset.grids, document.body))
        except ValueError as err:
            logger.warning("layout_grid_left_out", grid_id=str(grid_id), reason=str(err))
            continue
        versions[document.doc] = document.version
    return LayoutSnapshot(gridset=gridset, versions=versions, store_version=store_version)


def write_layout(store: ConfigStore, new: GridSet, *, base: LayoutSnapshot | None) -> list[str]:
    """Publish ``new``, edited from ``base`` (None: from nothing); the documents written."""
    old = {} if base is None else {g.grid_id: g for g in base.gridset.grids}
    versions = {} if base is None else dict(base.versions)
    written: list[str] = []
    for grid in new.grids:
        if old.get(grid.grid_id) != grid:
            doc = grid_doc(grid.grid_id)
            store.put(doc, grid, base_version=versions.get(doc))
            written.append(doc)
    order = tuple(g.grid_id for g in new.grids)
    if base is None or order != tuple(old):
        store.put(GRIDS_DOC, GridIndex(grid_ids=order), base_version=versions.get(GRIDS_DOC))
        written.append(GRIDS_DOC)
    removed: list[uuid.UUID] = [grid_id for grid_id in old if grid_id not in set(order)]
    for grid_id in removed:
        doc = grid_doc(grid_id)
        store.delete(doc, base_version=versions.get(doc))
        written.append(doc)
    return written


def seed_layout_if_missing(store: ConfigStore, instrument: Instrument) -> bool:
    """Write the instrument's grid templates as the layout if the store has none.

    Acts only once the store is :attr:`~ConfigStore.synced` (else an existing layout
    might just not have been read yet) and no seeding by this store is in flight.
    Template ids are deterministic, so sessions seeding at the same moment write the
    same documents. True if it wrote.
    """
    if not store.synced or store.get(GRIDS_DOC) is not None or store.pending(GRIDS_DOC):
        return False
    gridset = GridSet(grids=tuple(grids_from_templates(instrument)))
    write_layout(store, gridset, base=None)
    logger.info("layout_seeded", instrument=instrument.name, grids=len(gridset.grids))
    return True
