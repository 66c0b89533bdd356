from __future__ import annotations

import json

import pytest

from livedash.protocol.errors import DecodeError
from livedash.store.envelope import SCHEMA, decode_record, encode_record


def record(**changes: object) -> dict[str, object]:
    value: dict[str, object] = {
        "schema": SCHEMA,
        "doc": "grids",
        "version": 3,
        "writer": "w",
        "written_at_ns": 5,
        "base_version": 2,
        "base_writer": "v",
        "deleted": False,
        "body": {"grid_ids": []},
    }
    value.update(changes)
    return value


def test_a_write_round_trips_with_the_document_id_as_key() -> None:
    key, value = encode_record(
        doc="grids",
        version=3,
        writer="w",
        written_at_ns=5,
        body={"grid_ids": []},
        base_version=2,
        base_writer="v",
    )
    assert key == b"grids"
    envelope = decode_record(key, value)
    assert (envelope.doc, envelope.version, envelope.writer, envelope.written_at_ns) == (
        "grids",
        3,
        "w",
        5,
    )
    assert (envelope.base_version, envelope.base_writer) == (2, "v")
    assert envelope.body == {"grid_ids": []}
    assert not envelope.deleted


def test_the_value_is_compact_json_with_the_schema_first() -> None:
    _, value = encode_record(doc="grids", version=1, writer="w", written_at_ns=0, body={})
    assert value.startswith(b'{"schema":1,"doc":"grids",')


def test_a_deletion_is_an_envelope_without_body() -> None:
    key, value = encode_record(doc="grids", version=4, writer="w", written_at_ns=0, body=None)
    envelope = decode_record(key, value)
    assert envelope.deleted
    assert envelope.body is None
    assert envelope.version == 4


def test_an_empty_value_is_a_tombstone_of_the_keys_document() -> None:
    envelope = decode_record(b"grid/x", b"")
    assert envelope.deleted
    assert envelope.doc == "grid/x"


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        (None, json.dumps(record()).encode(), "config_key"),
        (b"\xff", json.dumps(record()).encode(), "config_key"),
        (b"grids", b"{not json", "config_json"),
        (b"grids", b"\xff\xfe", "config_json"),
        (b"grids", b"[1, 2]", "config_envelope"),
        (b"grids", json.dumps(record(schema=2)).encode(), "config_schema"),
        (b"grids", json.dumps(record(schema="1")).encode(), "config_schema"),
        (b"grids", json.dumps(record(version=True)).encode(), "config_envelope"),
        (b"grids", json.dumps(record(version="3")).encode(), "config_envelope"),
        (b"grids", json.dumps(record(writer=None)).encode(), "config_envelope"),
        (b"grids", json.dumps(record(body=None)).encode(), "config_envelope"),
        (b"grids", json.dumps(record(deleted=True)).encode(), "config_envelope"),
        (b"grids", json.dumps(record(body=[1])).encode(), "config_envelope"),
        (b"grid/a", json.dumps(record()).encode(), "config_doc"),
    ],
)
def test_bad_records_raise_decode_errors_by_kind(
    key: bytes | None, value: bytes, kind: str
) -> None:
    with pytest.raises(DecodeError) as info:
        decode_record(key, value)
    assert info.value.kind == kind


def test_unknown_envelope_fields_are_ignored() -> None:
    envelope = decode_record(b"grids", json.dumps(record(future="x")).encode())
    assert envelope.version == 3


def test_invalid_document_ids_are_refused_when_writing() -> None:
    with pytest.raises(ValueError, match="document id"):
        encode_record(doc="bad\nid", version=1, writer="w", written_at_ns=0, body={})
