"""Every shared wire vector decodes to what its sidecar says, and re-encodes exactly."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import scipp as sc
from streaming_data_types.dataarray_da00 import deserialise_da00

from livedash.protocol.acks import decode_ack, encode_ack
from livedash.protocol.commands import JobCommand, WorkflowConfig, decode_command, encode_command
from livedash.protocol.da00 import decode_da00, encode_da00, peek_source_name
from livedash.protocol.ids import JobId, ResultKey
from livedash.protocol.results import decode_result, peek_result_key
from livedash.protocol.roi import PolygonROI, RectangleROI, decode_roi_request, encode_roi_request
from livedash.protocol.schemas import schema_id
from livedash.protocol.status import (
    JobStatus,
    ServiceStatus,
    decode_status,
    encode_job_status,
    encode_service_status,
)
from tests.samples import load_vector, manifest, vector_params

from .sidecar import assert_decoded

KNOWN_KINDS = {
    "ack",
    "command_job_command",
    "command_workflow_config",
    "da00_result",
    "da00_roi_request",
    "x5f2_job_heartbeat",
    "x5f2_service_heartbeat",
}
# scipp holds these natively, so decoding changes nothing and re-encoding is exact.
_NATIVE_DTYPES = {np.dtype(t) for t in ("int32", "int64", "float32", "float64")}


def test_every_manifest_vector_is_of_a_kind_these_tests_check(protocol_samples):
    kinds = {vector["kind"] for vector in manifest()["vectors"]}
    assert kinds <= KNOWN_KINDS
    assert len(manifest()["vectors"]) == manifest().get("count", len(manifest()["vectors"]))


@pytest.mark.parametrize("name", vector_params())
def test_vector_bytes_match_their_sidecar(name):
    payload, sidecar = load_vector(name)
    assert len(payload) == sidecar["size_bytes"]
    if "schema_id" in sidecar:
        assert schema_id(payload) == sidecar["schema_id"]


def _assert_da00_view(payload: bytes, sidecar: dict) -> None:
    raw = deserialise_da00(payload)
    view = sidecar["da00"]
    msg = decode_da00(payload)
    assert msg.source_name == view["source_name"] == peek_source_name(payload)
    assert msg.timestamp_ns == view["timestamp_ns"]
    assert [v.name for v in raw.data] == [v["name"] for v in view["variables"]]
    decoded = sidecar["decoded"]
    assert_decoded(msg.data, decoded)
    assert list(msg.dropped_variables) == decoded["dropped_variables"]
    assert any(v.name == "errors" for v in raw.data) == decoded["has_errors_variable"]


def _assert_reencodes(payload: bytes) -> None:
    msg = decode_da00(payload)
    again = encode_da00(msg.data, source_name=msg.source_name, timestamp_ns=msg.timestamp_ns)
    back = decode_da00(again)
    assert back.source_name == msg.source_name
    assert back.timestamp_ns == msg.timestamp_ns
    assert sc.identical(back.data, msg.data, equal_nan=True)
    raw_dtypes = {np.asarray(v.data).dtype for v in deserialise_da00(payload).data}
    if raw_dtypes <= _NATIVE_DTYPES:
        assert again == payload


@pytest.mark.parametrize("name", vector_params("da00_result"))
def test_result_vector_decodes_to_its_sidecar(name):
    payload, sidecar = load_vector(name)
    key, msg = decode_result(payload)
    assert key == ResultKey.model_validate(sidecar["result_key"]) == peek_result_key(payload)
    assert str(key.workflow_id) == sidecar["result_key_string_forms"]["workflow_id"]
    assert str(key.job_id) == sidecar["result_key_string_forms"]["job_id"]
    assert key.job_id.service_id == sidecar["result_key_string_forms"]["x5f2_service_id"]
    assert msg.data.name == sidecar["output"]["title"]
    _assert_da00_view(payload, sidecar)


@pytest.mark.parametrize("name", vector_params("da00_result", "da00_roi_request"))
def test_da00_vector_reencodes_to_the_same_message(name):
    payload, _ = load_vector(name)
    _assert_reencodes(payload)


def _expected_roi(geometry_type: str, roi: dict) -> RectangleROI | PolygonROI:
    if geometry_type == "rectangle":
        return RectangleROI(
            x_min=roi["x"]["min"], x_max=roi["x"]["max"], x_unit=roi["x"]["unit"],
            y_min=roi["y"]["min"], y_max=roi["y"]["max"], y_unit=roi["y"]["unit"],
        )  # fmt: skip
    return PolygonROI(x=roi["x"], y=roi["y"], x_unit=roi["x_unit"], y_unit=roi["y_unit"])


@pytest.mark.parametrize("name", vector_params("da00_roi_request"))
def test_roi_request_vector_decodes_to_its_sidecar(name):
    payload, sidecar = load_vector(name)
    job_id, geometry, rois = decode_roi_request(payload)
    stream = sidecar["roi_stream"]
    request = sidecar["roi_request"]
    assert job_id == JobId(source_name=stream["source_name"], job_number=stream["job_number"])
    assert str(job_id) == stream["job_id_string"]
    assert geometry == stream["readback_key"] == f"roi_{request['geometry_type']}"
    assert rois == {
        int(index): _expected_roi(request["geometry_type"], roi)
        for index, roi in request["rois"].items()
    }
    assert set(rois) <= set(request["index_range"])
    assert sidecar["da00"]["timestamp_ns"] == 0
    _assert_da00_view(payload, sidecar)
    assert encode_roi_request(job_id, geometry, rois) == payload


@pytest.mark.parametrize("name", vector_params("x5f2_job_heartbeat", "x5f2_service_heartbeat"))
def test_heartbeat_vector_decodes_to_its_sidecar(name):
    payload, sidecar = load_vector(name)
    msg = decode_status(payload)
    assert msg.envelope.__dict__ == sidecar["envelope"]
    assert msg.nicos_status == sidecar["status_json"]["status"]
    decoded = sidecar["decoded"]
    status = msg.status
    assert type(status).__name__ == decoded["type"]
    assert status.state.value == decoded["state"]
    assert status.error == decoded.get("error_message", decoded.get("error"))
    if isinstance(status, JobStatus):
        assert status.job_id.model_dump(mode="json") == decoded["job_id"]
        assert status.workflow_id.model_dump() == decoded["workflow_id"]
        assert status.warning == decoded["warning_message"]
        assert (status.start_time, status.end_time) == (decoded["start_time"], decoded["end_time"])
        assert status.job_id.service_id == sidecar["envelope"]["service_id"]
    else:
        assert isinstance(status, ServiceStatus)
        fields = status.model_dump(mode="json", exclude={"dashboard"})
        expected = {k: v for k, v in decoded.items() if k not in ("type", "version")}
        assert fields == expected
        assert msg.envelope.software_version == decoded["version"]
        assert status.service_id == sidecar["envelope"]["service_id"]


@pytest.mark.parametrize("name", vector_params("x5f2_job_heartbeat", "x5f2_service_heartbeat"))
def test_heartbeat_vector_reencodes_byte_for_byte(name):
    payload, sidecar = load_vector(name)
    msg = decode_status(payload)
    encode = encode_job_status if isinstance(msg.status, JobStatus) else encode_service_status
    again = encode(
        msg.status,
        host_name=msg.envelope.host_name,
        process_id=msg.envelope.process_id,
        software_version=msg.envelope.software_version,
    )
    assert again == payload
    assert decode_status(again).envelope == msg.envelope
    assert sidecar["status_json_raw"].encode() in payload


@pytest.mark.parametrize("name", vector_params("command_job_command", "command_workflow_config"))
def test_command_vector_decodes_and_reencodes_exactly(name):
    payload, sidecar = load_vector(name)
    cmd = decode_command(payload)
    expected_type = WorkflowConfig if sidecar["kind"] == "command_workflow_config" else JobCommand
    assert isinstance(cmd, expected_type)
    assert cmd.model_dump(mode="json") == sidecar["json"]
    assert payload.decode("utf-8") == sidecar["text"]
    assert encode_command(cmd) == payload
    uuid.UUID(cmd.message_id)


@pytest.mark.parametrize("name", vector_params("ack"))
def test_ack_vector_decodes_and_reencodes_exactly(name):
    payload, sidecar = load_vector(name)
    ack = decode_ack(payload)
    assert ack.model_dump(mode="json") == sidecar["json"]
    assert ack.response.value == sidecar["json"]["response"]
    assert payload.decode("utf-8") == sidecar["text"]
    assert encode_ack(ack) == payload
