"""Keeps a session's plots on the shared layout: seed it once, then follow its changes.

Two pump tickers (ADR 0007; docs/plots.md, "Wiring"), run in this order after the
data cache has followed the job generations:

- :meth:`LayoutFollower.seed` writes the instrument's grid templates as the layout
  (:func:`~livedash.store.layout.seed_layout_if_missing`) once the store has caught up
  with the topic and found no layout. It does nothing before that, and nothing once
  any layout exists (even an empty one a user left): a layout is seeded only into an
  empty topic.
- :meth:`LayoutFollower.follow` re-reads the layout when the store's version changed
  and hands the plot orchestrator the new :class:`~livedash.plots.model.GridSet`
  (which also sets the data cache's interest to exactly the layers' keys). It waits
  for the store to catch up, so a session starting on a long history does not build
  and drop every intermediate layout; an unchanged layout (another document changed)
  is not synced again. If the layout disappears (the ``grids`` index was deleted by
  another tool), the plots are dropped and seeding writes the templates again.

Concurrency: both run on the pump thread only; :meth:`stats` may be called anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import structlog

from ..instruments import Instrument
from ..plots.model import GridSet
from ..store.config_store import ConfigStore
from ..store.layout import read_layout, seed_layout_if_missing

logger = structlog.get_logger(__name__)


class LayoutTarget(Protocol):
    """What the follower drives (``PlotOrchestrator``)."""

    def sync(self, gridset: GridSet) -> None: ...


class LayoutFollower:
    """Seeds and follows the shared layout for one session (see the module docstring)."""

    def __init__(
        self,
        *,
        store: ConfigStore,
        instrument: Instrument,
        plots: LayoutTarget,
        on_layers: Callable[[int], object] | None = None,
    ) -> None:
        self._store = store
        self._instrument = instrument
        self._plots = plots
        self._on_layers = on_layers
        self._seen_version: int | None = None
        self._applied: GridSet | None = None
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(("seeded", "synced"), 0)

    def seed(self) -> bool:
        """Write the grid templates if the caught-up store has no layout; True if it did."""
        if not seed_layout_if_missing(self._store, self._instrument):
            return False
        self._count("seeded")
        return True

    def follow(self) -> bool:
        """Sync the plots to the layout if it changed since the last call; True if synced."""
        version = self._store.version
        if version == self._seen_version or not self._store.synced:
            return False
        self._seen_version = version
        snapshot = read_layout(self._store)
        if snapshot is None:
            if self._applied is None:
                return False  # nothing shown, nothing to drop: wait for the seed
            gridset = GridSet()
        else:
            gridset = snapshot.gridset
        if gridset == self._applied:
            return False
        self._plots.sync(gridset)
        self._applied = gridset
        self._count("synced")
        layers = sum(1 for _ in gridset.layers())
        if self._on_layers is not None:
            self._on_layers(layers)
        logger.debug("layout_synced", grids=len(gridset.grids), layers=layers)
        return True

    def stats(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1
