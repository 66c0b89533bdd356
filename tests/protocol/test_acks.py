"""Acknowledgements: the backend's JSON, byte for byte (PROTOCOL.md 4)."""

from __future__ import annotations

import pytest

from livedash.protocol.acks import Acknowledgement, AckResponse, decode_ack, encode_ack
from livedash.protocol.errors import DecodeError


def test_err_ack_carries_its_error_text():
    ack = Acknowledgement(
        message_id="msg-0004", device="all", response=AckResponse.ERR,
        message="Pause action not implemented yet",
    )  # fmt: skip
    assert encode_ack(ack) == (
        b'{"message_id":"msg-0004","device":"all","response":"ERR",'
        b'"message":"Pause action not implemented yet"}'
    )
    assert decode_ack(encode_ack(ack)) == ack


def test_ack_without_message_writes_null():
    ack = Acknowledgement(message_id="msg-0001", device="panel_0", response=AckResponse.ACK)
    assert encode_ack(ack) == (
        b'{"message_id":"msg-0001","device":"panel_0","response":"ACK","message":null}'
    )


def test_multiline_non_ascii_error_text_round_trips():
    ack = Acknowledgement(message_id="m", device="d", response="ERR", message='x\n"ü"\t')
    assert decode_ack(encode_ack(ack)) == ack


@pytest.mark.parametrize(
    "text",
    [
        b'{"message_id":"m","device":"d","response":"OK","message":null}',
        b'{"message_id":"m","response":"ACK","message":null}',
        b'{"message_id":"m","device":"d","response":"ACK","message":3}',
    ],
)
def test_invalid_acks_are_rejected(text):
    with pytest.raises(DecodeError) as info:
        decode_ack(text)
    assert info.value.kind == "ack"


def test_encode_rejects_what_is_not_an_ack():
    with pytest.raises(ValueError, match="Acknowledgement"):
        encode_ack({"message_id": "m"})
