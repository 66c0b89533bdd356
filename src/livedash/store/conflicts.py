"""When a session's write was lost: the overwrite rule of the configuration store.

A store's write W of a document is *overwritten unseen* when a later record R of that
document, from another writer, was not made on top of W: R's base revision is older
than W (``base_version < W.version``), or has W's number but another writer (two
writers may publish the same version number), or R has no base at all. Such a record
raises a notice for W's session, unless R leaves the document as W had it (an equal
body). A record made on top of W is an ordinary edit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pydantic import BaseModel

from .envelope import Envelope


@dataclass(frozen=True)
class Conflict:
    """This store's write of ``doc`` was overwritten unseen by another writer."""

    doc: str
    lost_version: int
    by_writer: str
    at_ns: int
    deleted: bool

    @property
    def message(self) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.at_ns / 1e9))
        verb = "deleted" if self.deleted else "overwritten"
        return f"{verb} by {self.by_writer} at {stamp} UTC"


def overwrite_conflict(
    record: Envelope,
    body: BaseModel | None,
    *,
    ours: int | None,
    writer_id: str,
    current: BaseModel | None,
) -> Conflict | None:
    """The notice ``record`` (validated ``body``) raises against our current write.

    ``ours`` is the version of our write the document currently shows (None if the
    document does not show a write of ours), ``current`` its body.
    """
    if ours is None or record.writer == writer_id:
        return None
    base = record.base_version
    saw_ours = base is not None and (
        base > ours or (base == ours and record.base_writer == writer_id)
    )
    unchanged = body is not None and current is not None and current == body
    if saw_ours or unchanged:
        return None
    return Conflict(
        doc=record.doc,
        lost_version=ours,
        by_writer=record.writer or "unknown",
        at_ns=record.written_at_ns,
        deleted=record.deleted,
    )
