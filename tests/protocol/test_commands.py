"""Commands: the dashboard's JSON, byte for byte (PROTOCOL.md 3)."""

from __future__ import annotations

import uuid

import pytest

from livedash.protocol.commands import (
    JobAction,
    JobCommand,
    Schedule,
    WorkflowConfig,
    decode_command,
    encode_command,
)
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, WorkflowId

JOB_ID = JobId(source_name="panel_0", job_number=uuid.UUID("11111111-2222-3333-4444-555555555555"))
WORKFLOW_ID = WorkflowId(instrument="dummy", name="monitor_histogram", version=1)


def _config(**kwargs) -> WorkflowConfig:
    return WorkflowConfig(identifier=WORKFLOW_ID, job_id=JOB_ID, message_id="m-1", **kwargs)


def test_workflow_config_json_has_the_dashboard_layout():
    params = {"toa_range": {"start": 0.0, "stop": 10.0, "enabled": False, "unit": "μs"}}
    text = encode_command(_config(params=params)).decode("utf-8")
    assert text == (
        '{"kind":"workflow_config","identifier":{"instrument":"dummy",'
        '"name":"monitor_histogram","version":1},"message_id":"m-1","job_id":'
        '{"source_name":"panel_0","job_number":"11111111-2222-3333-4444-555555555555"},'
        '"schedule":{"start_time":null,"end_time":null},"aux_source_names":{},'
        '"params":{"toa_range":{"start":0.0,"stop":10.0,"enabled":false,"unit":"μs"}}}'
    )


def test_non_ascii_units_are_written_as_raw_utf8():
    buf = encode_command(_config(params={"unit": "Å", "t": "μs"}))
    assert "Å".encode() in buf
    assert "μs".encode() in buf
    assert b"\\u" not in buf


def test_job_command_json_has_the_dashboard_layout():
    cmd = JobCommand(message_id="m-2", job_id=JOB_ID, action=JobAction.RESET)
    assert encode_command(cmd) == (
        b'{"kind":"job_command","message_id":"m-2","job_id":{"source_name":"panel_0",'
        b'"job_number":"11111111-2222-3333-4444-555555555555"},"workflow_id":null,'
        b'"action":"reset"}'
    )


def test_each_command_gets_a_fresh_uuid4_message_id():
    first, second = JobCommand(action=JobAction.STOP), JobCommand(action=JobAction.STOP)
    assert first.message_id != second.message_id
    assert uuid.UUID(first.message_id).version == 4


def test_workflow_config_defaults_start_now_and_never_end():
    assert _config().schedule == Schedule(start_time=None, end_time=None)
    assert _config().params == {}


@pytest.mark.parametrize(
    "cmd",
    [
        pytest.param(
            _config(
                schedule=Schedule(start_time=2**62, end_time=None),
                aux_source_names={"roi_rectangle": "roi_rectangle"},
                params={"toa_edges": {"start": 0.0, "stop": 71.43, "num_bins": 100}},
            ),
            id="workflow_config",
        ),
        pytest.param(JobCommand(workflow_id=WORKFLOW_ID, action=JobAction.STOP), id="by-workflow"),
        pytest.param(JobCommand(action=JobAction.PAUSE), id="everything"),
    ],
)
def test_commands_round_trip_byte_for_byte(cmd):
    buf = encode_command(cmd)
    assert decode_command(buf) == cmd
    assert encode_command(decode_command(buf)) == buf


def test_identifier_accepts_the_string_form():
    cmd = WorkflowConfig(identifier="dummy/monitor_histogram/1", job_id=JOB_ID)
    assert cmd.identifier == WORKFLOW_ID


@pytest.mark.parametrize(
    "text",
    [
        b'{"kind":"job_command","action":"remove"}',
        b'{"kind":"job_command","action":"stop","job_id":{"source_name":"a","job_number":"x"}}',
        b'{"kind":"workflow_config","identifier":"dummy/only-two","job_id":null}',
        b'{"action":"stop"}',
    ],
)
def test_invalid_commands_are_rejected(text):
    with pytest.raises(DecodeError) as info:
        decode_command(text)
    assert info.value.kind == "command"


def test_encode_rejects_what_is_not_a_command():
    with pytest.raises(ValueError, match="not a command"):
        encode_command({"kind": "job_command"})


def test_a_float_schedule_time_is_rejected_not_rounded():
    text = encode_command(_config()).replace(b'"start_time":null', b'"start_time":1.5e18')
    with pytest.raises(DecodeError, match="start_time"):
        decode_command(text)
