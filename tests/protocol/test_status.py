"""x5f2 heartbeats: job, service and dashboard status round trips (PROTOCOL.md 5, 12.2)."""

from __future__ import annotations

import json
import uuid

import pytest
from streaming_data_types.status_x5f2 import deserialise_x5f2, serialise_x5f2

from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, WorkflowId
from livedash.protocol.status import (
    JobState,
    JobStatus,
    NicosStatus,
    ServiceState,
    ServiceStatus,
    StatusEnvelope,
    StreamStat,
    StreamStats,
    dashboard_session_status,
    dashboard_worker_status,
    decode_status,
    encode_job_status,
    encode_service_status,
    nicos_status_for_job,
    nicos_status_for_service,
)

BIG_NS = 2**63 - 1  # far beyond 2**53: must not pass through a float
JOB_ID = JobId(source_name="monitor1", job_number=uuid.UUID("11111111-2222-3333-4444-555555555555"))
WORKFLOW_ID = WorkflowId(instrument="dummy", name="monitor_histogram", version=1)
WORKER = "00000000-0000-4000-8000-000000000007"
TRACEBACK = 'Traceback (most recent call last):\n  File "/x/ü.py", line 1\nValueError: "bad"\t\\'


def _job(state: JobState, **kwargs) -> JobStatus:
    return JobStatus(job_id=JOB_ID, workflow_id=WORKFLOW_ID, state=state, **kwargs)


def _service(**kwargs) -> ServiceStatus:
    fields = {
        "instrument": "dummy",
        "service_name": "monitor_data",
        "worker_id": WORKER,
        "state": ServiceState.RUNNING,
        "started_at": 1763699990000000000,
        "active_job_count": 2,
        **kwargs,
    }
    return ServiceStatus(**fields)


def _status_json(buf: bytes) -> str:
    return deserialise_x5f2(buf).status_json


def test_job_heartbeat_json_has_the_backend_layout():
    status = _job(
        JobState.WARNING, warning="something odd",
        start_time=1763700000000000000, end_time=1763700005000000000,
    )  # fmt: skip
    buf = encode_job_status(status, host_name="h", process_id=1)
    assert _status_json(buf) == (
        '{"status":210,"message":{"message_type":"job","state":"warning",'
        '"warning":"something odd","error":null,"job_id":{"source_name":"monitor1",'
        '"job_number":"11111111-2222-3333-4444-555555555555"},'
        '"workflow_id":"dummy/monitor_histogram/1","start_time":1763700000000000000,'
        '"end_time":1763700005000000000}}'
    )


def test_service_heartbeat_json_has_the_backend_layout():
    stats = StreamStats(
        window_seconds=30.0,
        streams=[
            StreamStat(
                topic="dummy_beam_monitor", source_name="monitor1", stream="monitor1", count=420
            )
        ],
    )
    buf = encode_service_status(_service(stream_stats=stats), host_name="h", process_id=1)
    assert _status_json(buf) == (
        '{"status":200,"message":{"message_type":"service","instrument":"dummy",'
        '"service_name":"monitor_data","worker_id":"00000000-0000-4000-8000-000000000007",'
        '"state":"running","started_at":1763699990000000000,"active_job_count":2,'
        '"error":null,"batch_interval_s":1.0,"stream_stats":{"window_seconds":30.0,'
        '"streams":[{"topic":"dummy_beam_monitor","source_name":"monitor1",'
        '"stream":"monitor1","count":420}]}}}'
    )


@pytest.mark.parametrize("state", list(JobState))
def test_every_job_state_round_trips_with_its_nicos_code(state):
    status = _job(state, error=TRACEBACK if state is JobState.ERROR else None,
                  warning="w" if state is JobState.WARNING else None,
                  start_time=BIG_NS, end_time=None)  # fmt: skip
    msg = decode_status(encode_job_status(status, host_name="host", process_id=42))
    assert msg.status == status
    assert msg.nicos_status == nicos_status_for_job(state)


def test_error_text_with_newlines_quotes_and_non_ascii_round_trips():
    status = _job(JobState.ERROR, error=TRACEBACK)
    assert decode_status(encode_job_status(status, host_name="h", process_id=1)).status == status


def test_job_envelope_carries_the_job_service_id_and_1000_ms():
    buf = encode_job_status(
        _job(JobState.ACTIVE), host_name="host", process_id=42, software_version="9"
    )
    assert decode_status(buf).envelope == StatusEnvelope(
        software_name="livedata", software_version="9",
        service_id="monitor1:11111111-2222-3333-4444-555555555555",
        host_name="host", process_id=42, update_interval=1000,
    )  # fmt: skip


def test_service_envelope_carries_the_service_id_and_2000_ms():
    envelope = decode_status(
        encode_service_status(_service(), host_name="h", process_id=7)
    ).envelope
    assert envelope.service_id == f"dummy:monitor_data:{WORKER}"
    assert envelope.update_interval == 2000
    assert envelope.software_version == "0.0.0"


@pytest.mark.parametrize("with_stats", [False, True])
@pytest.mark.parametrize("state", list(ServiceState))
def test_service_heartbeats_round_trip(state, with_stats):
    stats = StreamStats(window_seconds=34.799999997, streams=[
        StreamStat(topic="t", source_name="s", stream=None, count=3)
    ]) if with_stats else None  # fmt: skip
    error = "crashed" if state is ServiceState.ERROR else None
    status = _service(state=state, stream_stats=stats, error=error, batch_interval_s=2.5)
    msg = decode_status(encode_service_status(status, host_name="h", process_id=1))
    assert msg.status == status
    assert msg.nicos_status == nicos_status_for_service(state)


def test_nanosecond_ints_beyond_2_53_stay_exact():
    status = _service(started_at=BIG_NS)
    decoded = decode_status(encode_service_status(status, host_name="h", process_id=1)).status
    assert decoded.started_at == BIG_NS
    assert isinstance(decoded.started_at, int)


def test_nicos_code_tables_match_the_backend():
    assert {s: nicos_status_for_job(s) for s in JobState} == {
        JobState.ACTIVE: 200, JobState.FINISHING: 200, JobState.SCHEDULED: 235,
        JobState.WARNING: 210, JobState.PENDING_CONTEXT: 210, JobState.ERROR: 240,
        JobState.STOPPED: 999,
    }  # fmt: skip
    assert {s: nicos_status_for_service(s) for s in ServiceState} == {
        ServiceState.STARTING: NicosStatus.DISABLED, ServiceState.RUNNING: NicosStatus.OK,
        ServiceState.STOPPED: NicosStatus.DISABLED, ServiceState.ERROR: NicosStatus.ERROR,
    }  # fmt: skip


def _job_document(status: JobStatus) -> dict:
    return json.loads(_status_json(encode_job_status(status, host_name="h", process_id=1)))


def _x5f2(document: object) -> bytes:
    text = document if isinstance(document, str) else json.dumps(document)
    return serialise_x5f2("livedata", "1", "s", "h", 1, 1000, text)


def test_a_message_without_message_type_is_a_job():
    message = json.loads(
        _status_json(encode_job_status(_job(JobState.ACTIVE), host_name="h", process_id=1))
    )
    del message["message"]["message_type"]
    assert isinstance(decode_status(_x5f2(message)).status, JobStatus)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("not json", "not JSON"),
        ([1, 2], "not a JSON object"),
        ({"status": "200", "message": {}}, "integer code"),
        ({"status": True, "message": {}}, "integer code"),
        ({"status": 200, "message": []}, "'message'"),
        ({"status": 200, "message": {"message_type": "gossip"}}, "message_type"),
        ({"status": 200, "message": {"message_type": "job", "state": "active"}}, "job message"),
        ({"status": 200, "message": {"message_type": "service"}}, "service message"),
    ],
)
def test_malformed_status_json_is_rejected(document, reason):
    with pytest.raises(DecodeError, match=reason) as info:
        decode_status(_x5f2(document))
    assert info.value.kind == "x5f2"


def test_a_worker_id_that_is_not_a_uuid_is_rejected_on_decode():
    message = json.loads(
        _status_json(encode_service_status(_service(), host_name="h", process_id=1))
    )
    message["message"]["worker_id"] = "worker-7"
    with pytest.raises(DecodeError, match="worker_id"):
        decode_status(_x5f2(message))


def test_a_worker_id_is_kept_verbatim():
    upper = WORKER.upper()
    assert _service(worker_id=upper).worker_id == upper


def test_encode_rejects_a_process_id_outside_uint32():
    with pytest.raises(ValueError, match="process_id"):
        encode_job_status(_job(JobState.ACTIVE), host_name="h", process_id=2**32)


def test_dashboard_worker_heartbeat_is_a_service_heartbeat_with_a_dashboard_key():
    worker = str(uuid.uuid4())
    status = dashboard_worker_status(
        instrument="dummy", worker_id=worker, state=ServiceState.RUNNING,
        started_at=BIG_NS, session_count=3, details={"host": "h", "pid": 12, "rss_bytes": 2**40},
    )  # fmt: skip
    buf = encode_service_status(status, host_name="h", process_id=12)
    msg = decode_status(buf)
    assert msg.envelope.service_id == f"dummy:dashboard:{worker}"
    assert msg.status == status
    assert msg.status.service_name == "dashboard"
    assert msg.status.active_job_count == 3
    assert msg.status.dashboard == {"role": "worker", "host": "h", "pid": 12, "rss_bytes": 2**40}
    message = json.loads(_status_json(buf))["message"]
    assert list(message)[-1] == "dashboard"


def test_dashboard_session_heartbeat_uses_the_session_service_name():
    session = str(uuid.uuid4())
    status = dashboard_session_status(
        instrument="dummy", session_id=session, state=ServiceState.STOPPED,
        started_at=1, workflow_count=2, details={"worker_id": str(uuid.uuid4()), "visible": True},
    )  # fmt: skip
    msg = decode_status(encode_service_status(status, host_name="h", process_id=1))
    assert msg.envelope.service_id == f"dummy:dashboard_session:{session}"
    assert msg.status.dashboard["role"] == "session"
    assert msg.nicos_status == NicosStatus.DISABLED


def test_dashboard_heartbeat_needs_a_uuid():
    with pytest.raises(ValueError, match="worker_id"):
        dashboard_worker_status(
            instrument="dummy", worker_id="w1", state=ServiceState.RUNNING,
            started_at=0, session_count=0,
        )  # fmt: skip


def test_dashboard_heartbeat_writes_its_id_in_canonical_form():
    session = uuid.uuid4()
    status = dashboard_session_status(
        instrument="dummy", session_id=session.hex.upper(), state=ServiceState.RUNNING,
        started_at=0, workflow_count=0,
    )  # fmt: skip
    assert status.worker_id == str(session)
    assert status.service_id == f"dummy:dashboard_session:{session}"


def test_dashboard_key_is_omitted_for_backend_services():
    buf = encode_service_status(_service(), host_name="h", process_id=1)
    assert "dashboard" not in json.loads(_status_json(buf))["message"]


def test_upstream_readers_see_a_plain_service_status_in_a_dashboard_heartbeat():
    status = dashboard_worker_status(
        instrument="dummy", worker_id=WORKER, state=ServiceState.RUNNING,
        started_at=0, session_count=0,
    )  # fmt: skip
    message = json.loads(_status_json(encode_service_status(status, host_name="h", process_id=1)))
    upstream_fields = set(ServiceStatus.model_fields) - {"dashboard"}
    assert upstream_fields | {"message_type", "dashboard"} == set(message["message"])
    assert message["message"]["state"] in {s.value for s in ServiceState}


def test_a_float_nanosecond_time_is_rejected_not_rounded():
    message = _job_document(_job(JobState.ACTIVE))
    message["message"]["start_time"] = 1.7637e18
    with pytest.raises(DecodeError, match="start_time"):
        decode_status(_x5f2(message))
