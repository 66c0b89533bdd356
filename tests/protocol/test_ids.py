"""Workflow, job and result identities in every string form the wire uses (PROTOCOL.md 2.2)."""

from __future__ import annotations

import uuid

import pytest

from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, ResultKey, WorkflowId

NUMBER = uuid.UUID("11111111-2222-3333-4444-555555555555")
WORKFLOW_ID = WorkflowId(instrument="dummy", name="panel_0_xy", version=1)
JOB_ID = JobId(source_name="panel_0", job_number=NUMBER)


def test_workflow_id_string_form_round_trips():
    assert str(WORKFLOW_ID) == "dummy/panel_0_xy/1"
    assert WorkflowId.parse("dummy/panel_0_xy/1") == WORKFLOW_ID


@pytest.mark.parametrize("text", ["dummy/panel_0_xy", "a/b/c/1", "dummy/x/one", ""])
def test_malformed_workflow_id_strings_are_rejected(text):
    with pytest.raises(DecodeError) as info:
        WorkflowId.parse(text)
    assert info.value.kind == "workflow_id"


def test_workflow_id_is_hashable_and_frozen():
    assert {WORKFLOW_ID: 1}[WorkflowId.parse("dummy/panel_0_xy/1")] == 1
    with pytest.raises(ValueError, match="frozen"):
        WORKFLOW_ID.version = 2


def test_job_id_string_and_service_id_forms():
    assert str(JOB_ID) == "panel_0/11111111-2222-3333-4444-555555555555"
    assert JOB_ID.service_id == "panel_0:11111111-2222-3333-4444-555555555555"


def test_service_id_splits_on_the_last_colon():
    job_id = JobId(source_name="a:b", job_number=NUMBER)
    assert JobId.from_service_id(job_id.service_id) == job_id


@pytest.mark.parametrize("service_id", ["panel_0", ":" + str(NUMBER), "panel_0:not-a-uuid", 42])
def test_malformed_service_ids_are_rejected(service_id):
    with pytest.raises(DecodeError) as info:
        JobId.from_service_id(service_id)
    assert info.value.kind == "job_id"


def test_result_key_json_is_the_backend_form():
    key = ResultKey(workflow_id=WORKFLOW_ID, job_id=JOB_ID, output_name="cumulative")
    assert key.to_json() == (
        '{"workflow_id":{"instrument":"dummy","name":"panel_0_xy","version":1},'
        '"job_id":{"source_name":"panel_0","job_number":"11111111-2222-3333-4444-555555555555"},'
        '"output_name":"cumulative"}'
    )
    assert ResultKey.from_json(key.to_json()) == key


def test_result_key_field_order_does_not_matter_when_parsing():
    text = (
        '{"output_name":"current","job_id":{"job_number":"11111111-2222-3333-4444-555555555555",'
        '"source_name":"panel_0"},"workflow_id":"dummy/panel_0_xy/1"}'
    )
    assert ResultKey.from_json(text) == ResultKey(
        workflow_id=WORKFLOW_ID, job_id=JOB_ID, output_name="current"
    )


def test_result_key_output_name_defaults_to_result():
    key = ResultKey(workflow_id=WORKFLOW_ID, job_id=JOB_ID)
    assert key.output_name == "result"


@pytest.mark.parametrize("text", ["panel_0", "{}", "[]", b"\xff", '{"workflow_id":1}'])
def test_a_source_name_that_is_not_a_result_key_is_rejected(text):
    with pytest.raises(DecodeError) as info:
        ResultKey.from_json(text)
    assert info.value.kind == "result_key"
