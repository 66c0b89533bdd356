"""What the UI pulls from the plot orchestrator: one immutable view per layer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from .layer_state import LayerState
from .model import LayerConfig
from .state import PlotState


@dataclass(frozen=True)
class LayerView:
    """One layer as the UI draws it; ``version`` changes whenever anything here does."""

    config: LayerConfig
    state: LayerState
    error: str | None
    plot: PlotState | None
    version: int

    @property
    def layer_id(self) -> uuid.UUID:
        return self.config.layer_id


@dataclass(frozen=True)
class LayerChanges:
    """What changed since the reader's versions: new or updated views, removed layers."""

    changed: dict[uuid.UUID, LayerView]
    removed: frozenset[uuid.UUID]
    version: int
