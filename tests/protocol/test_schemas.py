"""Schema ids and the flatbuffer bounds verifier (PROTOCOL.md 2.1, 12.4)."""

from __future__ import annotations

import struct

import pytest
import scipp as sc

from livedash.protocol.da00 import encode_da00
from livedash.protocol.errors import DecodeError
from livedash.protocol.schemas import (
    Field,
    FieldKind,
    TableSchema,
    flatbuffer_guard,
    require_schema,
    schema_id,
    verify,
)

SOURCE_ONLY = TableSchema("DataArray", (Field("source_name", 0, FieldKind.STRING, required=True),))


def _da00() -> bytes:
    return encode_da00(sc.DataArray(sc.scalar(1.0)), source_name="src", timestamp_ns=0)


def test_schema_id_is_bytes_4_to_8():
    assert schema_id(_da00()) == "da00"
    assert schema_id(b"\x00\x00\x00\x00x5f2rest") == "x5f2"


@pytest.mark.parametrize("buf", [b"", b"1234567", b"\x00" * 4 + b"\xff\xfe\xfd\xfc"])
def test_short_or_non_ascii_schema_ids_are_rejected(buf):
    with pytest.raises(DecodeError):
        schema_id(buf)


def test_require_schema_reports_the_kind_being_decoded():
    with pytest.raises(DecodeError, match="expected 'x5f2'") as info:
        require_schema(_da00(), "x5f2", kind="x5f2")
    assert info.value.kind == "x5f2"


def test_verify_accepts_a_valid_buffer():
    verify(_da00(), SOURCE_ONLY, kind="da00")


def test_verify_rejects_a_root_offset_past_the_end():
    buf = bytearray(_da00())
    buf[0:4] = struct.pack("<I", len(buf) + 100)
    with pytest.raises(DecodeError, match="outside"):
        verify(bytes(buf), SOURCE_ONLY, kind="da00")


def test_verify_rejects_a_string_longer_than_the_buffer():
    buf = bytearray(_da00())
    at = buf.index(b"src") - 4
    buf[at : at + 4] = struct.pack("<I", 10**6)
    with pytest.raises(DecodeError, match="source_name"):
        verify(bytes(buf), SOURCE_ONLY, kind="da00")


def test_verify_rejects_a_missing_required_field():
    schema = TableSchema("DataArray", (Field("absent", 40, FieldKind.STRING, required=True),))
    with pytest.raises(DecodeError, match="missing"):
        verify(_da00(), schema, kind="da00")


def test_guard_turns_any_error_into_a_decode_error():
    with pytest.raises(DecodeError, match="IndexError") as info, flatbuffer_guard("da00"):
        raise IndexError("index out of range")
    assert info.value.kind == "da00"


def test_guard_passes_decode_errors_through_unchanged():
    original = DecodeError("x5f2", "reason")
    with pytest.raises(DecodeError) as info, flatbuffer_guard("da00"):
        raise original
    assert info.value is original
