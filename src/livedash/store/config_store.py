"""A shared configuration store on the compacted topic ``{inst}_livedash_config``.

Every session (of every worker, on every host) has its own :class:`ConfigStore`, fed by
a consumer that reads the topic from the beginning (:meth:`on_message`). The topic is
the single source of truth; the store is a reader's view of it:

- **The log decides.** A write (:meth:`put`, :meth:`delete`) is only published; local
  state changes when the record comes back from the topic. Every reader, the writer
  included, applies the records of a document in log order, so all converge to the
  same documents: the last valid write in the log wins, per document.
- **Versions.** A write carries ``version = max version seen of the document + 1`` and
  the revision it edited (``base_version``, and that revision's writer). Readers pull
  by :attr:`version` (bumped on every change of this store's view) and
  :meth:`version_of` a document.
- **Overwrite notices.** When another writer overwrites this store's write of a
  document without having seen it (:mod:`~livedash.store.conflicts`), :meth:`conflicts`
  reports "overwritten by <writer> at <time>" for that document until this store
  writes it again or the notice is dismissed.
- **Bad records** (no key, not JSON, wrong schema, bad envelope, key and document
  differ, unknown document kind, body failing the document's model) are skipped,
  counted per kind and logged once per kind: a reader never sees a corrupt document,
  the previous valid revision stays.
- **Catching up.** :meth:`request_sync` publishes a ``_sync`` marker; once it comes
  back, every record written before it has been applied and :attr:`synced` is True
  (the topic has one partition, so the log is totally ordered). A feeder that knows it
  reached the end can call :meth:`mark_synced` instead. Seeding defaults must wait for
  it, or a session would overwrite documents it has not read yet.

Concurrency: the pump thread calls :meth:`on_message`; any thread may call the rest.
One lock guards all fields; :meth:`put` produces to the sink after releasing it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import structlog
from pydantic import BaseModel

from ..kafka.message import Message
from ..kafka.transport import MessageSink
from ..protocol.errors import DecodeError
from .conflicts import Conflict, overwrite_conflict
from .documents import Document, validate_document
from .envelope import Envelope, body_of, check_doc_id, decode_record, encode_record

logger = structlog.get_logger(__name__)

SYNC_DOC = "_sync"
# The topic allows 1 MiB messages; leave room for the record framing.
MAX_VALUE_BYTES = 1_000_000

Validator = Callable[[str, Any], BaseModel]


class ConfigStore:
    """One reader's (and writer's) view of the configuration topic (see module docstring)."""

    def __init__(
        self,
        *,
        sink: MessageSink,
        topic: str,
        writer_id: str,
        clock: Callable[[], int] = time.time_ns,
        validate: Validator = validate_document,
        max_value_bytes: int = MAX_VALUE_BYTES,
    ) -> None:
        if not writer_id:
            raise ValueError(f"writer_id must not be empty, got {writer_id!r}")
        self._sink = sink
        self._topic = topic
        self.writer_id = writer_id
        self._clock = clock
        self._validate = validate
        self._max_value_bytes = max_value_bytes
        self._lock = threading.Lock()
        self._docs: dict[str, Document] = {}
        self._doc_versions: dict[str, int] = {}
        self._max_version: dict[str, int] = {}
        self._own_current: dict[str, int] = {}
        self._pending: dict[str, int] = {}
        self._conflicts: dict[str, Conflict] = {}
        self._sync_token: str | None = None
        self._synced = False
        self._version = 0
        self._counts = dict.fromkeys(("applied", "deleted", "conflicts", "internal"), 0)
        self._skipped: dict[str, int] = {}
        self._logged: set[str] = set()

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    @property
    def synced(self) -> bool:
        with self._lock:
            return self._synced

    def version_of(self, doc: str) -> int:
        """This store's version at the last change of ``doc`` (0 if never seen)."""
        with self._lock:
            return self._doc_versions.get(doc, 0)

    def get(self, doc: str) -> Document | None:
        with self._lock:
            return self._docs.get(doc)

    def documents(self, prefix: str = "") -> dict[str, Document]:
        """Every current document whose id starts with ``prefix``."""
        with self._lock:
            return {d: doc for d, doc in self._docs.items() if d.startswith(prefix)}

    def conflicts(self) -> dict[str, Conflict]:
        with self._lock:
            return dict(self._conflicts)

    def dismiss_conflict(self, doc: str) -> None:
        with self._lock:
            if self._conflicts.pop(doc, None) is not None:
                self._bump(doc)

    def pending(self, doc: str) -> bool:
        """Whether a write of ``doc`` by this store has not come back yet."""
        with self._lock:
            return doc in self._pending

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                **self._counts,
                "documents": len(self._docs),
                "pending": len(self._pending),
                "skipped": dict(self._skipped),
            }

    def put(
        self, doc: str, body: BaseModel | Mapping[str, Any], *, base_version: int | None
    ) -> int:
        """Publish ``body`` as document ``doc``, edited from revision ``base_version``
        (None: edited from nothing); the version written.

        The body is validated first (ValueError if readers would reject it, or if the
        record exceeds the topic's message size). The document changes here only when
        the record comes back through :meth:`on_message`.
        """
        check_doc_id(doc)
        raw = body_of(body) if isinstance(body, BaseModel) else dict(body)
        # Publish the validated model's JSON, so what readers decode is what was checked.
        return self._publish(doc, body_of(self._validate(doc, raw)), base_version)

    def delete(self, doc: str, *, base_version: int | None) -> int:
        """Publish the deletion of ``doc``; the version written."""
        check_doc_id(doc)
        return self._publish(doc, None, base_version)

    def request_sync(self) -> None:
        """Publish a ``_sync`` marker; :attr:`synced` turns True when it comes back."""
        token = uuid.uuid4().hex
        with self._lock:
            self._sync_token = token
        key, value = encode_record(
            doc=SYNC_DOC,
            version=0,
            writer=self.writer_id,
            written_at_ns=self._clock(),
            body={"token": token},
        )
        self._sink.produce(self._topic, value, key=key)

    def mark_synced(self) -> None:
        """The feeder has delivered every record that existed when it started."""
        with self._lock:
            if not self._synced:
                self._synced = True
                self._version += 1

    def on_message(self, message: Message) -> bool:
        """Apply one record of the topic; False if it was skipped (counted, logged once)."""
        try:
            envelope = decode_record(message.key, message.value)
            if envelope.doc.startswith("_"):
                return self._on_internal(envelope)
            body = None if envelope.deleted else self._validate(envelope.doc, envelope.body)
        except DecodeError as err:
            self._skip(err.kind, err.reason, message)
            return False
        except ValueError as err:
            self._skip("config_body", str(err).splitlines()[0], message)
            return False
        with self._lock:
            self._apply(envelope, body, message.offset)
        return True

    def _publish(self, doc: str, body: dict[str, Any] | None, base_version: int | None) -> int:
        with self._lock:
            version = max(self._max_version.get(doc, 0), base_version or 0) + 1
            self._max_version[doc] = version
            current = self._docs.get(doc)
            base_writer = (
                current.writer
                if current is not None
                and base_version is not None
                and current.version == base_version
                else None
            )
        key, value = encode_record(
            doc=doc,
            version=version,
            writer=self.writer_id,
            written_at_ns=self._clock(),
            body=body,
            base_version=base_version,
            base_writer=base_writer,
        )
        if len(value) > self._max_value_bytes:
            raise ValueError(
                f"document {doc!r} is {len(value)} bytes, over the {self._max_value_bytes} limit"
            )
        with self._lock:
            self._pending[doc] = version
        self._sink.produce(self._topic, value, key=key)
        return version

    def _apply(self, env: Envelope, body: BaseModel | None, offset: int) -> None:
        doc = env.doc
        self._max_version[doc] = max(self._max_version.get(doc, 0), env.version)
        own = env.writer == self.writer_id
        if own:
            if self._pending.get(doc, -1) <= env.version:
                self._pending.pop(doc, None)
            self._conflicts.pop(doc, None)
        else:
            self._check_overwrite(env, body)
        if own and not env.deleted:
            self._own_current[doc] = env.version
        else:
            self._own_current.pop(doc, None)
        if body is None:
            self._docs.pop(doc, None)
            self._counts["deleted"] += 1
        else:
            self._docs[doc] = Document(
                doc=doc,
                body=body,
                version=env.version,
                writer=env.writer,
                written_at_ns=env.written_at_ns,
                offset=offset,
            )
        self._counts["applied"] += 1
        self._bump(doc)

    def _check_overwrite(self, env: Envelope, body: BaseModel | None) -> None:
        current = self._docs.get(env.doc)
        conflict = overwrite_conflict(
            env,
            body,
            ours=self._own_current.get(env.doc),
            writer_id=self.writer_id,
            current=None if current is None else current.body,
        )
        if conflict is not None:
            self._conflicts[env.doc] = conflict
            self._counts["conflicts"] += 1

    def _on_internal(self, env: Envelope) -> bool:
        with self._lock:
            self._counts["internal"] += 1
            mine = env.body is not None and env.body.get("token") == self._sync_token
            if env.doc == SYNC_DOC and mine and not self._synced:
                self._synced = True
                self._version += 1
        return True

    def _bump(self, doc: str) -> None:
        self._version += 1
        self._doc_versions[doc] = self._version

    def _skip(self, kind: str, reason: str, message: Message) -> None:
        with self._lock:
            self._skipped[kind] = self._skipped.get(kind, 0) + 1
            first = kind not in self._logged
            self._logged.add(kind)
        if first:
            logger.warning(
                "config_record_skipped",
                kind=kind,
                reason=reason,
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            )
