"""The records of the configuration topic: a versioned JSON envelope per document write.

Kafka key: the document id (UTF-8), e.g. ``grids``, ``grid/<uuid>``,
``workflow_params/dummy/panel_0_xy/1``. Value: compact JSON ::

    {"schema": 1, "doc": "grids", "version": 7, "writer": "<session uuid>",
     "written_at_ns": 1763711999989156508, "base_version": 6, "base_writer": "<uuid>",
     "deleted": false, "body": {...}}

- ``version`` is the writer's ``max version seen + 1`` for that document. It is not
  unique (two writers may both write version 7); the order of the log, not the
  version, decides which write wins.
- ``base_version``/``base_writer`` name the revision the writer edited (null for a
  write that edited nothing, such as seeding). Readers use them to tell a deliberate
  edit of their write from a concurrent one that overwrote it unseen.
- A deletion is an envelope with ``deleted: true`` and ``body: null``, so it carries a
  version and a writer like any write. A Kafka tombstone (empty value) written by
  another tool deletes the document too.
- Document ids starting with ``_`` are the store's own (the ``_sync`` marker).

:func:`decode_record` raises only :class:`~livedash.protocol.errors.DecodeError`, with
kinds ``config_key``, ``config_json``, ``config_envelope``, ``config_schema`` and
``config_doc``; the body is checked separately against the document's model.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..protocol.errors import DecodeError, validation_reason

SCHEMA = 1
MAX_DOC_ID_LENGTH = 256


class Envelope(BaseModel):
    """One decoded record of the configuration topic."""

    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")

    schema_: int = Field(alias="schema")
    doc: str = Field(min_length=1, max_length=MAX_DOC_ID_LENGTH)
    version: int = Field(ge=0)
    writer: str
    written_at_ns: int
    base_version: int | None = None
    base_writer: str | None = None
    deleted: bool = False
    body: dict[str, Any] | None

    @model_validator(mode="after")
    def _body_unless_deleted(self) -> Envelope:
        if self.deleted != (self.body is None):
            raise ValueError("a deletion has a null body and a write has an object body")
        return self


def check_doc_id(doc: str) -> str:
    """``doc`` if it is a valid document id (1-256 printable characters), else ValueError."""
    if not isinstance(doc, str) or not 0 < len(doc) <= MAX_DOC_ID_LENGTH or not doc.isprintable():
        raise ValueError(f"document id must be 1-{MAX_DOC_ID_LENGTH} printable characters: {doc!r}")
    return doc


def encode_record(
    *,
    doc: str,
    version: int,
    writer: str,
    written_at_ns: int,
    body: dict[str, Any] | None,
    base_version: int | None = None,
    base_writer: str | None = None,
) -> tuple[bytes, bytes]:
    """The Kafka (key, value) of one write; ``body`` None writes a deletion."""
    value = {
        "schema": SCHEMA,
        "doc": check_doc_id(doc),
        "version": version,
        "writer": writer,
        "written_at_ns": written_at_ns,
        "base_version": base_version,
        "base_writer": base_writer,
        "deleted": body is None,
        "body": body,
    }
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return doc.encode(), encoded.encode()


def decode_record(key: bytes | None, value: bytes) -> Envelope:
    """The envelope of one record; an empty value is a tombstone of the key's document."""
    if not key:
        raise DecodeError("config_key", "record has no key")
    try:
        doc = check_doc_id(key.decode())
    except (UnicodeDecodeError, ValueError) as err:
        raise DecodeError("config_key", str(err)) from None
    if not value:
        tombstone = {"schema": SCHEMA, "doc": doc, "version": 0, "writer": "", "written_at_ns": 0}
        return Envelope.model_validate({**tombstone, "deleted": True, "body": None})
    try:
        raw = json.loads(value)
    except (UnicodeDecodeError, ValueError) as err:
        raise DecodeError("config_json", f"not JSON: {err}") from None
    if not isinstance(raw, dict):
        raise DecodeError("config_envelope", f"not a JSON object but {type(raw).__name__}")
    if raw.get("schema") != SCHEMA:
        raise DecodeError("config_schema", f"schema {raw.get('schema')!r}, expected {SCHEMA}")
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as err:
        raise DecodeError("config_envelope", validation_reason(err)) from None
    if envelope.doc != doc:
        raise DecodeError("config_doc", f"key {doc!r} carries document {envelope.doc!r}")
    return envelope


def body_of(model: BaseModel) -> dict[str, Any]:
    """The JSON body of a document model."""
    return model.model_dump(mode="json")
