"""Result messages: a ResultKey in the da00 source_name (PROTOCOL.md 2.2)."""

from __future__ import annotations

import uuid

import pytest
import scipp as sc

from livedash.protocol import results
from livedash.protocol.da00 import decode_da00
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, ResultKey, WorkflowId
from livedash.protocol.results import decode_result, encode_result, peek_result_key

KEY = ResultKey(
    workflow_id=WorkflowId(instrument="dummy", name="panel_0_xy", version=1),
    job_id=JobId(source_name="panel_0", job_number=uuid.UUID(int=5)),
    output_name="current",
)


def _image() -> sc.DataArray:
    return sc.DataArray(sc.ones(dims=["y", "x"], shape=[2, 2], unit="counts"), name="Image update")


def test_result_round_trips_key_data_and_timestamp():
    buf = encode_result(KEY, _image(), timestamp_ns=2**62)
    key, msg = decode_result(buf)
    assert key == KEY
    assert sc.identical(msg.data, _image())
    assert msg.timestamp_ns == 2**62


def test_source_name_is_the_compact_result_key_json():
    buf = encode_result(KEY, _image(), timestamp_ns=0)
    assert decode_da00(buf).source_name == KEY.to_json()


def test_peek_returns_the_key_alone():
    assert peek_result_key(encode_result(KEY, _image(), timestamp_ns=0)) == KEY


def test_encode_needs_a_result_key():
    with pytest.raises(ValueError, match="ResultKey"):
        encode_result(KEY.to_json(), _image(), timestamp_ns=0)


def test_a_bad_key_is_reported_before_the_arrays_are_decoded(monkeypatch):
    def refuse(buf):
        raise AssertionError("arrays decoded")

    monkeypatch.setattr(results, "decode_da00", refuse)
    bad = encode_result(KEY, _image(), timestamp_ns=0).replace(b"workflow_id", b"workflow_xx")
    with pytest.raises(DecodeError) as info:
        decode_result(bad)
    assert info.value.kind == "result_key"
