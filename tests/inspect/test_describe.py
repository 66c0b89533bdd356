"""`describe` decodes every kind of livedata message, and never raises for bad bytes."""

from __future__ import annotations

import json

import pytest

from livedash.inspect.describe import describe, stream_kind_of
from livedash.inspect.render import render
from livedash.protocol.topics import StreamKind
from tests.samples import load_vector, vector_params

_EXPECTED_KIND = {
    "da00_result": "result",
    "da00_roi_request": "roi_request",
    "x5f2_job_heartbeat": "job_status",
    "x5f2_service_heartbeat": "service_status",
    "command_workflow_config": "workflow_config",
    "command_job_command": "job_command",
    "ack": "ack",
}


@pytest.mark.parametrize("name", vector_params())
def test_every_sample_is_described_as_its_kind(name: str) -> None:
    value, sidecar = load_vector(name)

    description = describe(sidecar["topic"], value)

    assert description["kind"] == _EXPECTED_KIND[sidecar["kind"]]
    json.dumps(description)  # --json output must be serialisable as is
    assert render(description)


def test_result_description_has_key_dims_units_and_sums() -> None:
    value, sidecar = load_vector("da00_panel_0_xy_cumulative")

    description = describe("dummy_livedata_data", value)

    assert description["workflow_id"] == "dummy/panel_0_xy/1"
    assert description["output_name"] == "cumulative"
    assert description["dims"] == sidecar["decoded"]["dims"]
    assert description["unit"] == sidecar["decoded"]["unit"]
    assert description["sum"] == pytest.approx(sidecar["decoded"]["sum"])
    assert description["coords"]["time"]["unit"] == "ns"
    assert description["coords"]["detector_number"]["unit"] is None


def test_job_status_ids_use_their_wire_string_forms() -> None:
    value, _ = load_vector("x5f2_job_active_panel_0_xy")

    description = describe("dummy_livedata_heartbeat", value)

    assert description["status"]["workflow_id"] == "dummy/panel_0_xy/1"
    assert description["status"]["job_id"].startswith("panel_0/")
    assert "JOB dummy/panel_0_xy/1" in render(description)


@pytest.mark.parametrize(
    ("topic", "value"),
    [
        ("dummy_livedata_data", b"\x00" * 3),
        ("dummy_livedata_data", b"not a flatbuffer at all, just text"),
        ("dummy_livedata_heartbeat", b"\x10\x00\x00\x00da00" + b"\x00" * 40),
        ("dummy_livedata_commands", b"{not json"),
        ("dummy_livedata_commands", b'{"kind": "workflow_config"}'),
        ("dummy_livedata_responses", b'{"message_id": 1}'),
        ("dummy_livedata_roi", b""),
        ("some_other_topic", b"\xff\xfe"),
    ],
)
def test_bad_bytes_become_an_error_description(topic: str, value: bytes) -> None:
    description = describe(topic, value)

    assert description["kind"] == "error"
    assert description["reason"]
    assert render(description).startswith("ERROR cannot decode")


def test_unknown_topic_is_decoded_by_sniffing_the_payload() -> None:
    value, _ = load_vector("ack_job_command_reset_by_workflow_id")

    assert describe("copied_topic", value)["kind"] == "ack"


@pytest.mark.parametrize(
    ("topic", "kind"),
    [
        ("dummy_livedata_data", StreamKind.DATA),
        ("loki_livedata_heartbeat", StreamKind.STATUS),
        ("dummy_livedata_roi", StreamKind.ROI),
        ("dummy_detector", None),
    ],
)
def test_stream_kind_is_read_from_the_topic_suffix(topic: str, kind: StreamKind | None) -> None:
    assert stream_kind_of(topic) is kind
