"""Flatbuffer schema ids and a bounds-checking verifier for received flatbuffers.

Implements the flatbuffer side of PROTOCOL.md 2.1 (which topic carries which schema) and
12.4 (bad input). The generated ``streaming_data_types`` accessors trust every offset in
the buffer: Python's ``struct.unpack_from`` accepts negative offsets and byte slices
truncate silently, so a corrupt buffer can decode to garbage instead of failing. Each
decoder therefore runs :func:`verify` over the tables it is about to read first, and
reads inside :func:`flatbuffer_guard`, so that any remaining failure of the flatbuffer
layer surfaces as :class:`~livedash.protocol.errors.DecodeError`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum, auto

from .errors import DecodeError

DA00 = "da00"
X5F2 = "x5f2"

_MIN_FLATBUFFER = 8
_MAX_TABLE_DEPTH = 8


def schema_id(buf: bytes) -> str:
    """The 4-character flatbuffer file identifier at bytes 4..8 of ``buf``."""
    if not isinstance(buf, bytes | bytearray | memoryview):
        raise DecodeError("flatbuffer", f"expected bytes, got {type(buf).__name__}")
    if len(buf) < _MIN_FLATBUFFER:
        raise DecodeError("flatbuffer", f"{len(buf)} bytes is too short to carry a schema id")
    raw = bytes(buf[4:8])
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        raise DecodeError("flatbuffer", f"schema id {raw!r} is not ASCII") from None


def require_schema(buf: bytes, expected: str, *, kind: str) -> None:
    """Raise :class:`DecodeError` (of ``kind``) unless ``buf`` carries schema ``expected``."""
    try:
        found = schema_id(buf)
    except DecodeError as err:
        raise DecodeError(kind, err.reason) from None
    if found != expected:
        raise DecodeError(kind, f"schema id is {found!r}, expected {expected!r}")


@contextmanager
def flatbuffer_guard(kind: str, *, problem: str = "corrupt flatbuffer") -> Iterator[None]:
    """Turn any exception raised inside the block into :class:`DecodeError` of ``kind``.

    Wraps the reading of foreign bytes (and the building of arrays from them) so that
    no ``IndexError``, ``struct.error``, ``UnicodeDecodeError``, scipp or numpy error
    escapes a decoder. ``problem`` prefixes the reason.
    """
    try:
        yield
    except DecodeError:
        raise
    # The translation boundary: no failure caused by a foreign buffer may escape raw.
    except Exception as err:  # noqa: BLE001
        raise DecodeError(kind, f"{problem} ({type(err).__name__}: {err})") from None


def read_string(raw: bytes | None, what: str, *, kind: str) -> str:
    """A flatbuffer string field as text; :class:`DecodeError` if missing or not UTF-8."""
    if raw is None:
        raise DecodeError(kind, f"{what} is missing")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError(kind, f"{what} is not valid UTF-8") from None


class FieldKind(Enum):
    """How a table field is stored, which decides how it is bounds-checked."""

    SCALAR = auto()
    STRING = auto()
    VECTOR = auto()
    STRING_VECTOR = auto()
    TABLE_VECTOR = auto()


@dataclass(frozen=True)
class Field:
    """One field of a flatbuffer table: its slot (declaration index) and storage."""

    name: str
    slot: int
    kind: FieldKind
    size: int = 4
    table: TableSchema | None = None
    required: bool = False


@dataclass(frozen=True)
class TableSchema:
    """The fields of a table that a decoder is going to read."""

    name: str
    fields: tuple[Field, ...]


def verify(buf: bytes, schema: TableSchema, *, kind: str) -> None:
    """Check that every offset, string and vector of ``schema`` lies inside ``buf``.

    Only the listed fields are followed, so verifying a one-field schema costs the same
    whatever the size of the rest of the buffer. Raises :class:`DecodeError` of ``kind``.
    """
    _Verifier(buf, kind).root(schema)


class _Verifier:
    def __init__(self, buf: bytes, kind: str) -> None:
        self._buf = memoryview(buf)
        self._size = len(self._buf)
        self._kind = kind

    def _fail(self, reason: str) -> DecodeError:
        return DecodeError(self._kind, reason)

    def _check(self, pos: int, length: int, what: str) -> None:
        if pos < 0 or length < 0 or pos + length > self._size:
            raise self._fail(
                f"{what} at byte {pos} (+{length}) lies outside the {self._size}-byte buffer"
            )

    def _u16(self, pos: int, what: str) -> int:
        self._check(pos, 2, what)
        return struct.unpack_from("<H", self._buf, pos)[0]

    def _u32(self, pos: int, what: str) -> int:
        self._check(pos, 4, what)
        return struct.unpack_from("<I", self._buf, pos)[0]

    def _i32(self, pos: int, what: str) -> int:
        self._check(pos, 4, what)
        return struct.unpack_from("<i", self._buf, pos)[0]

    def root(self, schema: TableSchema) -> None:
        if self._size < _MIN_FLATBUFFER:
            raise self._fail(f"{self._size} bytes is too short for a flatbuffer")
        self._table(self._u32(0, "root offset"), schema, depth=0)

    def _table(self, pos: int, schema: TableSchema, *, depth: int) -> None:
        if depth > _MAX_TABLE_DEPTH:
            raise self._fail(f"tables nested deeper than {_MAX_TABLE_DEPTH}")
        what = f"table {schema.name}"
        vtable = pos - self._i32(pos, what)
        vtable_len = self._u16(vtable, f"vtable of {schema.name}")
        table_len = self._u16(vtable + 2, f"vtable of {schema.name}")
        if vtable_len < 4 or vtable_len % 2 or table_len < 4:
            raise self._fail(f"vtable of {schema.name} has invalid sizes")
        self._check(vtable, vtable_len, f"vtable of {schema.name}")
        self._check(pos, table_len, what)
        for field in schema.fields:
            entry = 4 + 2 * field.slot
            offset = self._u16(vtable + entry, what) if entry < vtable_len else 0
            if offset == 0:
                if field.required:
                    raise self._fail(f"{schema.name}.{field.name} is missing")
                continue
            width = field.size if field.kind is FieldKind.SCALAR else 4
            if offset + width > table_len:
                raise self._fail(f"{schema.name}.{field.name} lies outside its table")
            self._field(pos + offset, field, depth=depth)

    def _field(self, pos: int, field: Field, *, depth: int) -> None:
        if field.kind is FieldKind.SCALAR:
            return
        target = pos + self._u32(pos, field.name)
        if field.kind is FieldKind.STRING:
            self._string(target, field.name)
            return
        length = self._u32(target, f"length of {field.name}")
        start = target + 4
        if field.kind is FieldKind.VECTOR:
            self._check(start, length * field.size, field.name)
            return
        self._check(start, length * 4, field.name)
        for index in range(length):
            element = start + 4 * index
            element_target = element + self._u32(element, field.name)
            if field.kind is FieldKind.STRING_VECTOR:
                self._string(element_target, f"{field.name}[{index}]")
            elif field.table is not None:
                self._table(element_target, field.table, depth=depth + 1)

    def _string(self, pos: int, what: str) -> None:
        length = self._u32(pos, f"length of {what}")
        self._check(pos + 4, length, what)
