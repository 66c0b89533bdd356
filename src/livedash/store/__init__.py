"""The shared configuration store: documents on the compacted topic ``{inst}_livedash_config``.

Plot layouts and last-used workflow params are shared by every session of every worker
and host, survive restarts and reach open sessions within a poll (ADR 0007). See
:mod:`~livedash.store.config_store` for the rules, :mod:`~livedash.store.documents` for
the documents and :mod:`~livedash.store.layout` for the plot layout.
"""

from .config_store import ConfigStore
from .conflicts import Conflict
from .documents import (
    GRIDS_DOC,
    Document,
    GridIndex,
    UnknownDocumentError,
    WorkflowParams,
    grid_doc,
    validate_document,
    workflow_params_doc,
)
from .layout import LayoutSnapshot, read_layout, seed_layout_if_missing, write_layout

__all__ = [
    "GRIDS_DOC",
    "ConfigStore",
    "Conflict",
    "Document",
    "GridIndex",
    "LayoutSnapshot",
    "UnknownDocumentError",
    "WorkflowParams",
    "grid_doc",
    "read_layout",
    "seed_layout_if_missing",
    "validate_document",
    "workflow_params_doc",
    "write_layout",
]
