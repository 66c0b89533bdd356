"""Decoders never trust input: anything malformed raises only DecodeError (PROTOCOL.md 12.4).

Random bytes, every truncation and random bit flips of valid messages, buffers of other
schemas, and invalid or wrongly shaped JSON go to every decoder. A decoder may accept a
mutated buffer that still happens to be valid; any exception other than DecodeError
fails the test.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipp as sc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streaming_data_types import serialise_ev44, serialise_f144
from streaming_data_types.status_x5f2 import serialise_x5f2

from livedash.protocol.acks import Acknowledgement, AckResponse, decode_ack, encode_ack
from livedash.protocol.commands import JobAction, JobCommand, decode_command, encode_command
from livedash.protocol.da00 import decode_da00, encode_da00, peek_source_name
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, ResultKey, WorkflowId
from livedash.protocol.results import decode_result, encode_result, peek_result_key
from livedash.protocol.roi import RectangleROI, decode_roi_request, encode_roi_request
from livedash.protocol.status import (
    JobState,
    JobStatus,
    ServiceState,
    dashboard_worker_status,
    decode_status,
    encode_job_status,
    encode_service_status,
)
from tests.samples import load_vector, representative_vectors, vector_params

DECODERS: dict[str, Callable[[bytes], Any]] = {
    "decode_da00": decode_da00,
    "peek_source_name": peek_source_name,
    "decode_result": decode_result,
    "peek_result_key": peek_result_key,
    "decode_status": decode_status,
    "decode_command": decode_command,
    "decode_ack": decode_ack,
    "decode_roi_request": decode_roi_request,
}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
JOB_ID = JobId(source_name="panel_0", job_number=uuid.UUID(int=7))
WORKFLOW_ID = WorkflowId(instrument="dummy", name="panel_0_xy", version=1)
KEY = ResultKey(workflow_id=WORKFLOW_ID, job_id=JOB_ID, output_name="cumulative")


def _seeds() -> dict[str, bytes]:
    image = sc.DataArray(
        sc.array(dims=["y", "x"], values=np.arange(6.0).reshape(2, 3), variances=np.ones((2, 3))),
        coords={"x": sc.arange("x", 4.0, unit="mm"), "time": sc.scalar(10**18, unit="ns")},
        name="Image",
    )
    times = sc.datetime(10**18, unit="ns") + sc.arange("time", 3, unit="ns")
    series = sc.DataArray(sc.ones(dims=["time"], shape=[3], unit="mm"), coords={"time": times})
    return {
        "result": encode_result(KEY, image, timestamp_ns=10**18),
        "series": encode_result(KEY, series, timestamp_ns=10**18),
        "roi": encode_roi_request(
            JOB_ID, "roi_rectangle", {0: RectangleROI(x_min=1, x_max=2, y_min=3, y_max=4)}
        ),
        "job": encode_job_status(
            JobStatus(job_id=JOB_ID, workflow_id=WORKFLOW_ID, state=JobState.ERROR, error="boom"),
            host_name="h",
            process_id=1,
        ),
        "dashboard": encode_service_status(
            dashboard_worker_status(
                instrument="dummy",
                worker_id=str(uuid.UUID(int=1)),
                state=ServiceState.RUNNING,
                started_at=10**18,
                session_count=2,
                details={"pid": 4},
            ),
            host_name="h",
            process_id=1,
        ),
        "command": encode_command(JobCommand(job_id=JOB_ID, action=JobAction.STOP)),
        "ack": encode_ack(
            Acknowledgement(message_id="m", device="all", response=AckResponse.ERR, message="x")
        ),
    }


SEEDS = _seeds()
SAMPLE_SEEDS = representative_vectors()


def _decode_or_reject(buf: bytes | bytearray) -> None:
    for name, decoder in DECODERS.items():
        try:
            decoder(bytes(buf))
        except DecodeError:
            pass
        except Exception as err:
            raise AssertionError(f"{name} raised {type(err).__name__}: {err}") from err


def _every_prefix(buf: bytes) -> None:
    for length in range(len(buf)):
        _decode_or_reject(buf[:length])


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_every_truncation_of_a_valid_message_is_rejected_cleanly(seed):
    _every_prefix(SEEDS[seed])


@pytest.mark.parametrize("name", SAMPLE_SEEDS or vector_params())
def test_every_truncation_of_a_sample_is_rejected_cleanly(name):
    _every_prefix(load_vector(name)[0])


def test_valid_seeds_decode_with_their_own_decoder():
    assert decode_result(SEEDS["result"])[0] == KEY
    assert decode_roi_request(SEEDS["roi"])[0] == JOB_ID
    assert decode_status(SEEDS["job"]).status.error == "boom"
    assert decode_command(SEEDS["command"]).action is JobAction.STOP
    assert decode_ack(SEEDS["ack"]).message == "x"


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_are_rejected_cleanly(buf):
    _decode_or_reject(buf)


@FUZZ
@given(st.sampled_from([b"da00", b"x5f2"]), st.binary(min_size=4, max_size=512))
def test_random_bytes_behind_a_known_schema_id_are_rejected_cleanly(schema, body):
    _decode_or_reject(body[:4] + schema + body[4:])


def _all_seeds() -> dict[str, bytes]:
    return {**SEEDS, **{name: load_vector(name)[0] for name in SAMPLE_SEEDS}}


ALL_SEEDS = _all_seeds()


@FUZZ
@given(st.sampled_from(sorted(ALL_SEEDS)), st.data())
def test_bit_flipped_messages_are_decoded_or_rejected_cleanly(seed, data):
    buf = bytearray(ALL_SEEDS[seed])
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(buf) - 1))
        buf[position] ^= 1 << data.draw(st.integers(0, 7))
    _decode_or_reject(buf)


@FUZZ
@given(st.sampled_from(sorted(ALL_SEEDS)), st.data())
def test_overwritten_offsets_are_decoded_or_rejected_cleanly(seed, data):
    buf = bytearray(ALL_SEEDS[seed])
    position = data.draw(st.integers(0, max(0, len(buf) - 4)))
    word = data.draw(st.sampled_from([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFC]))
    buf[position : position + 4] = word.to_bytes(4, "little")[: len(buf) - position]
    _decode_or_reject(buf)


def _foreign_flatbuffers() -> dict[str, bytes]:
    return {
        "ev44": serialise_ev44("panel_0", 10**18, [10**18], [0], [1, 2], [3, 4]),
        "f144": serialise_f144("motion1", 1.5, 10**18),
        "x5f2": SEEDS["job"],
        "da00": SEEDS["result"],
    }


FOREIGN = _foreign_flatbuffers()
EXPECTED_SCHEMA = {
    "decode_da00": "da00",
    "peek_source_name": "da00",
    "decode_result": "da00",
    "peek_result_key": "da00",
    "decode_roi_request": "da00",
    "decode_status": "x5f2",
}


@pytest.mark.parametrize(
    ("decoder", "schema"),
    [(d, s) for d in sorted(DECODERS) for s in sorted(FOREIGN) if EXPECTED_SCHEMA.get(d) != s],
)
def test_a_buffer_of_another_schema_is_rejected(decoder, schema):
    with pytest.raises(DecodeError):
        DECODERS[decoder](FOREIGN[schema])


def test_wrong_schema_reason_names_both_ids():
    with pytest.raises(DecodeError, match="'ev44', expected 'da00'"):
        decode_da00(FOREIGN["ev44"])
    with pytest.raises(DecodeError, match="'da00', expected 'x5f2'"):
        decode_status(FOREIGN["da00"])


BAD_JSON = [
    b"",
    b"{",
    b"not json",
    b"\xff\xfe\x00",
    b"null",
    b"[]",
    b"42",
    b'"text"',
    b"{}",
    b'{"kind": "workflow_config"}',
    b'{"kind": "launch_missiles", "message_id": "m"}',
    b'{"kind": "job_command", "action": "explode"}',
    b'{"kind": "job_command", "action": "stop", "job_id": {"source_name": "a", "job_number": "1"}}',
    b'{"message_id": "m", "device": "d", "response": "MAYBE", "message": null}',
    b'{"message_id": 1, "device": "d", "response": "ACK"}',
    b"[" * 100_000,
    b'{"a": NaN}',
    json.dumps({"status": 200, "message": {"message_type": "job"}}).encode(),
]


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@pytest.mark.parametrize("text", BAD_JSON, ids=range(len(BAD_JSON)))
def test_invalid_or_misshapen_json_is_rejected(decoder, text):
    with pytest.raises(DecodeError):
        DECODERS[decoder](text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(JSON_VALUES)
def test_arbitrary_json_is_decoded_or_rejected_cleanly(value):
    text = json.dumps(value).encode()
    _decode_or_reject(text)
    _decode_or_reject(serialise_x5f2("livedata", "1", "s", "h", 1, 1000, text.decode()))
    message = {"status": 200, "message": value}
    _decode_or_reject(serialise_x5f2("livedata", "1", "s", "h", 1, 1000, json.dumps(message)))


@FUZZ
@given(st.text(max_size=200))
def test_any_source_name_is_a_result_key_or_rejected_cleanly(source_name):
    buf = encode_da00(sc.DataArray(sc.scalar(1.0)), source_name=source_name, timestamp_ns=0)
    _decode_or_reject(buf)


@pytest.mark.parametrize(
    "source_name",
    ["panel_0", "{}", '{"workflow_id": "dummy/x/1"}', "null", KEY.to_json()[:-1]],
)
def test_a_source_name_that_is_not_a_result_key_is_rejected(source_name):
    buf = encode_da00(sc.DataArray(sc.scalar(1.0)), source_name=source_name, timestamp_ns=0)
    with pytest.raises(DecodeError) as info:
        decode_result(buf)
    assert info.value.kind == "result_key"
    with pytest.raises(DecodeError):
        peek_result_key(buf)


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_non_bytes_input_is_rejected(decoder):
    with pytest.raises(DecodeError):
        DECODERS[decoder](12345)
