"""Every ``cmd_*`` sample draws exactly the acks its sidecar expects, or silence."""

from __future__ import annotations

import json
import uuid

import pytest

from livedash.protocol.acks import AckResponse, decode_ack
from livedash.protocol.commands import WorkflowConfig, encode_command
from livedash.protocol.ids import JobId, WorkflowId

from .conftest import load_sample, sample_names
from .harness import Harness

COMMAND_SAMPLES = sample_names("cmd_")


def _config_for(instrument, spec, job_id: JobId) -> bytes:
    return encode_command(
        WorkflowConfig(
            identifier=spec.id,
            job_id=job_id,
            aux_source_names=spec.default_aux_source_names(),
            params=spec.params.default_payload(),
        )
    )


def preconditions(instrument, command: dict, sidecar: dict) -> list[bytes]:
    """The commands that create the jobs a job command of a sample acts on.

    A workflow_config needs none; a command expected to draw silence needs none either
    (it targets a job that does not exist). Otherwise the job is started from the
    sample that configured it, or built for the service the sidecar says handles it.
    """
    if command["kind"] == "workflow_config" or not sidecar["expected_acks"]:
        return []
    service = sidecar.get("handled_by_service")
    if command.get("job_id") is not None:
        job_id = JobId.model_validate(command["job_id"])
        for name in sample_names("cmd_workflow_config"):
            other = load_sample(name)
            if JobId.model_validate(other.sidecar["json"]["job_id"]) == job_id:
                return [other.value]
        spec = next(
            spec
            for spec in instrument.workflows.values()
            if spec.service == service and job_id.source_name in spec.source_names
        )
        return [_config_for(instrument, spec, job_id)]
    if command.get("workflow_id") is not None:
        spec = instrument.workflow(WorkflowId.model_validate(command["workflow_id"]))
    else:
        spec = next(s for s in instrument.workflows.values() if s.service == service)
    job_id = JobId(source_name=spec.source_names[0], job_number=uuid.uuid4())
    return [_config_for(instrument, spec, job_id)]


@pytest.mark.parametrize("name", COMMAND_SAMPLES)
def test_command_sample_draws_the_expected_acks(dummy, clock, name):
    sample = load_sample(name)
    harness = Harness(dummy, clock)
    command = json.loads(sample.value)
    for setup in preconditions(dummy, command, sample.sidecar):
        harness.command(setup)
    harness.step()
    harness.acks()

    harness.command(sample.value)
    harness.step()
    produced = harness.new(harness.topics.responses)

    expected = [load_sample(ack) for ack in sample.sidecar["expected_acks"]]
    assert len(produced) == len(expected)
    produced_acks = sorted((decode_ack(v) for v in produced), key=lambda a: a.device)
    expected_acks = sorted((decode_ack(e.value) for e in expected), key=lambda a: a.device)
    for got, want in zip(produced_acks, expected_acks, strict=True):
        assert (got.message_id, got.device, got.response) == (
            want.message_id,
            want.device,
            want.response,
        )
        if want.response is AckResponse.ERR:
            assert got.message
            if "not implemented" in (want.message or ""):
                assert got.message == want.message
    if all(decode_ack(e.value).response is AckResponse.ACK for e in expected):
        assert sorted(produced) == sorted(e.value for e in expected)


def test_the_sampled_commands_cover_every_action_kind():
    kinds = {
        (
            json.loads(load_sample(name).value)["kind"],
            json.loads(load_sample(name).value).get("action"),
        )
        for name in COMMAND_SAMPLES
    }
    assert ("workflow_config", None) in kinds
    assert ("job_command", "stop") in kinds
    assert ("job_command", "reset") in kinds
