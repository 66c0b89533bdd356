"""Last-used workflow params and sources, shared by every session through the store.

A commit is remembered in this session (:meth:`LastUsedParams.remember`) and published
as the ``workflow_params/<inst/name/ver>`` document
(:class:`~livedash.store.documents.WorkflowParams`, ADR 0007) of the shared
configuration store (:meth:`LastUsedParams.publish`), so every session of every worker
prefills its form with what was last started, and a restart does not forget it.

Which last-used params a form starts from (:meth:`LastUsedParams.params`): this
session's own commit while its document is still on the way back from the topic; else
the stored document (the latest commit by anyone, this session included); else this
session's own commit (there is no store, or its write failed); else None (the caller
uses the spec's default). Stored params are merged over the current spec's default and
validated, so a document written for an older form of the workflow is ignored (logged
once per workflow) instead of sending params the backend would reject. Sources follow
the same order and are used only if they are a non-empty subset of the workflow's.

Publishing never fails a commit: an error (invalid body, closed producer) is logged and
counted, and this session keeps its own memory.

Concurrency: any thread. One lock guards this session's memory; the store is called
outside it (the store has its own lock and never calls back).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import structlog
from pydantic import BaseModel

from ..instruments import WorkflowSpec
from ..protocol.ids import WorkflowId
from ..store.documents import Document, WorkflowParams, workflow_params_doc

logger = structlog.get_logger(__name__)


class ParamsDocuments(Protocol):
    """What last-used params need of the configuration store (``ConfigStore``)."""

    def get(self, doc: str) -> Document | None: ...

    def pending(self, doc: str) -> bool: ...

    def put(
        self, doc: str, body: BaseModel | Mapping[str, Any], *, base_version: int | None
    ) -> int: ...


class LastUsedParams:
    """This session's commits, and everybody's through the store (see module docstring)."""

    def __init__(self, *, store: ParamsDocuments | None = None) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._own: dict[WorkflowId, WorkflowParams] = {}
        self._invalid_logged: set[tuple[WorkflowId, int]] = set()
        self._counts = dict.fromkeys(("published", "publish_failed", "stored_invalid"), 0)

    def remember(
        self,
        spec: WorkflowSpec,
        *,
        params: Mapping[str, Any],
        sources: Sequence[str],
        aux_source_names: Mapping[str, str],
    ) -> WorkflowParams:
        """Keep what this session just committed; the document to :meth:`publish`."""
        record = WorkflowParams(
            workflow_id=spec.id,
            params=dict(params),
            source_names=tuple(sources),
            aux_source_names=dict(aux_source_names),
        )
        with self._lock:
            self._own[spec.id] = record
        return record

    def publish(self, record: WorkflowParams) -> bool:
        """Write ``record`` to the store (edited from the stored revision); True if sent."""
        if self._store is None:
            return False
        doc = workflow_params_doc(record.workflow_id)
        try:
            current = self._store.get(doc)
            self._store.put(doc, record, base_version=None if current is None else current.version)
        except Exception as exc:  # noqa: BLE001 - the commit went out; only sharing failed
            self._count("publish_failed")
            logger.warning("workflow_params_not_stored", doc=doc, error=repr(exc))
            return False
        self._count("published")
        return True

    def own(self, workflow_id: WorkflowId) -> dict[str, Any] | None:
        """The params of this session's last commit of ``workflow_id``, if any."""
        with self._lock:
            record = self._own.get(workflow_id)
        return None if record is None else dict(record.params)

    def params(self, spec: WorkflowSpec) -> dict[str, Any] | None:
        """The last-used params of ``spec`` (full payload), or None if there are none."""
        record = self._latest(spec)
        return None if record is None else dict(record.params)

    def sources(self, spec: WorkflowSpec) -> list[str] | None:
        """The last-used sources of ``spec``, or None if there are none (or no longer fit)."""
        record = self._latest(spec)
        if record is None:
            return None
        sources = list(dict.fromkeys(record.source_names))
        if not sources or any(s not in spec.source_names for s in sources):
            return None
        return sources

    def stats(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def _latest(self, spec: WorkflowSpec) -> WorkflowParams | None:
        with self._lock:
            own = self._own.get(spec.id)
        if self._store is None:
            return own
        doc = workflow_params_doc(spec.id)
        if own is not None and self._store.pending(doc):
            return own
        stored = self._store.get(doc)
        if stored is None:
            return own
        usable = self._usable(spec, stored)
        return own if usable is None else usable

    def _usable(self, spec: WorkflowSpec, stored: Document) -> WorkflowParams | None:
        """The stored document with its params merged over the default, if they validate."""
        body = stored.body
        if not isinstance(body, WorkflowParams):
            return None
        payload = spec.params.merge_with_default(body.params)
        errors = spec.params.validate(payload)
        if not errors:
            return body.model_copy(update={"params": payload})
        token = (spec.id, stored.version)
        with self._lock:
            first = token not in self._invalid_logged
            if first:
                self._invalid_logged.add(token)
                self._counts["stored_invalid"] += 1
        if first:
            logger.warning(
                "stored_workflow_params_invalid",
                workflow=str(spec.id),
                version=stored.version,
                writer=stored.writer,
                errors=errors,
            )
        return None

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1
