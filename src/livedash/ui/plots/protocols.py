"""The narrow interfaces the Plots tab needs from the session stack.

:class:`LayerSource` is satisfied by :class:`~livedash.plots.orchestrator.PlotOrchestrator`
(``stack.plots``), :class:`LayoutStore` by :class:`~livedash.store.ConfigStore`
(``stack.store``; it is what :func:`~livedash.store.read_layout` and
:func:`~livedash.store.write_layout` use, plus the overwrite notices) and
:class:`WorkflowStates` by :class:`~livedash.session.job_service.JobService`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel

from ...plots.views import LayerChanges, LayerView
from ...protocol.ids import WorkflowId
from ...session.workflow_state import WorkflowState
from ...store import Conflict, Document


class LayerSource(Protocol):
    """Plot states by layer, pulled by version; session-local drawing settings."""

    def changed_since(self, versions: Mapping[uuid.UUID, int]) -> LayerChanges: ...

    def view(self, layer_id: uuid.UUID) -> LayerView | None: ...

    def set_local_params(self, layer_id: uuid.UUID, **changes: Any) -> bool: ...


class LayoutStore(Protocol):
    """The shared configuration store, as far as the plot layout goes."""

    @property
    def version(self) -> int: ...

    def get(self, doc: str) -> Document | None: ...

    def put(
        self, doc: str, body: BaseModel | Mapping[str, Any], *, base_version: int | None
    ) -> int: ...

    def delete(self, doc: str, *, base_version: int | None) -> int: ...

    def pending(self, doc: str) -> bool: ...

    def conflicts(self) -> dict[str, Conflict]: ...

    def dismiss_conflict(self, doc: str) -> None: ...


class WorkflowStates(Protocol):
    """Whether a workflow runs (for the placeholders and the configuration dialog)."""

    def workflow_state(self, workflow_id: WorkflowId) -> WorkflowState: ...
