"""The documents of the configuration store, and the model each one must satisfy.

=====================================  ==============================================
document id                            body
=====================================  ==============================================
``grids``                              :class:`GridIndex`: the grids in display order
``grid/<grid_id>``                     :class:`~livedash.plots.model.Grid` (its
                                       ``grid_id`` must be the one in the id)
``workflow_params/<inst/name/ver>``    :class:`WorkflowParams`: last-used params of
                                       that workflow
=====================================  ==============================================

A layout is split into one document per grid so that two sessions editing different
grids do not overwrite each other. :func:`validate_document` is the store's default
check: a body that does not fit its document's model, or a document id of no known
kind, is never shown to a reader.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

from ..plots.model import Grid
from ..protocol.ids import WorkflowId

GRIDS_DOC = "grids"
GRID_PREFIX = "grid/"
WORKFLOW_PARAMS_PREFIX = "workflow_params/"


class UnknownDocumentError(ValueError):
    """A document id of no known kind."""


class GridIndex(BaseModel):
    """Which grids the dashboard shows, in order (each one is its own document)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grid_ids: tuple[uuid.UUID, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> GridIndex:
        if len(set(self.grid_ids)) != len(self.grid_ids):
            raise ValueError(f"grid ids repeat: {[str(g) for g in self.grid_ids]}")
        return self


class WorkflowParams(BaseModel):
    """The params (and sources) a workflow was last started with, to prefill its form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workflow_id: WorkflowId
    params: dict[str, Any] = Field(default_factory=dict)
    source_names: tuple[str, ...] = ()
    aux_source_names: dict[str, str] = Field(default_factory=dict)

    @field_serializer("workflow_id")
    def _workflow_id_as_string(self, workflow_id: WorkflowId) -> str:
        return str(workflow_id)


@dataclass(frozen=True)
class Document:
    """The current revision of one document as this store has applied it."""

    doc: str
    body: BaseModel
    version: int
    writer: str
    written_at_ns: int
    offset: int


def grid_doc(grid_id: uuid.UUID) -> str:
    return f"{GRID_PREFIX}{grid_id}"


def workflow_params_doc(workflow_id: WorkflowId) -> str:
    return f"{WORKFLOW_PARAMS_PREFIX}{workflow_id}"


@dataclass(frozen=True)
class DocumentKind:
    """Documents whose id is ``name`` (or starts with it, if ``prefix``)."""

    name: str
    model: type[BaseModel]
    prefix: bool = False
    check: Callable[[str, Any], None] | None = None

    def matches(self, doc: str) -> bool:
        return doc.startswith(self.name) if self.prefix else doc == self.name


def _grid_id_matches(suffix: str, grid: Grid) -> None:
    if suffix != str(grid.grid_id):
        raise ValueError(f"document grid/{suffix} holds grid {grid.grid_id}")


def _workflow_matches(suffix: str, params: WorkflowParams) -> None:
    if suffix != str(params.workflow_id):
        raise ValueError(f"document workflow_params/{suffix} holds {params.workflow_id}")


DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(GRIDS_DOC, GridIndex),
    DocumentKind(GRID_PREFIX, Grid, prefix=True, check=_grid_id_matches),
    DocumentKind(WORKFLOW_PARAMS_PREFIX, WorkflowParams, prefix=True, check=_workflow_matches),
)


def validate_document(doc: str, body: Any) -> BaseModel:
    """``body`` validated as document ``doc``; ValueError (pydantic's ValidationError is
    one, :class:`UnknownDocumentError` for an unknown id) if it is not one."""
    for kind in DOCUMENT_KINDS:
        if kind.matches(doc):
            model = body if isinstance(body, kind.model) else kind.model.model_validate(body)
            if kind.check is not None:
                kind.check(doc.removeprefix(kind.name) if kind.prefix else doc, model)
            return model
    raise UnknownDocumentError(f"no document kind for id {doc!r}")
