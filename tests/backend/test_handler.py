import uuid

import numpy as np
import pytest

from livedash.backend.faults import FaultPlan
from livedash.backend.handler import CommandHandler
from livedash.backend.jobs import JobManager
from livedash.protocol.acks import AckResponse
from livedash.protocol.commands import JobAction, JobCommand, WorkflowConfig
from livedash.protocol.ids import JobId, WorkflowId

T0 = 1_763_712_000_000_000_000
SERVICES = ("detector_data", "monitor_data", "data_reduction", "timeseries")


@pytest.fixture
def managers(dummy):
    return {
        service: JobManager(
            instrument=dummy,
            service_name=service,
            faults=FaultPlan(),
            seed=np.random.SeedSequence(0),
        )
        for service in SERVICES
    }


@pytest.fixture
def handler(managers):
    return CommandHandler(managers=list(managers.values()))


def config(workflow, source, params=None, instrument="dummy"):
    return WorkflowConfig(
        identifier=WorkflowId(instrument=instrument, name=workflow, version=1),
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
        params=params or {},
    )


def start(handler, workflow, source):
    cmd = config(workflow, source)
    handler.handle(cmd, now_ns=T0)
    return cmd.job_id


def command(action, *, job_id=None, workflow=None):
    workflow_id = None if workflow is None else WorkflowId.parse(f"dummy/{workflow}/1")
    return JobCommand(action=action, job_id=job_id, workflow_id=workflow_id)


def test_owned_workflow_config_is_acked_once_with_the_source_as_device(handler):
    cmd = config("monitor_histogram", "monitor2")
    [ack] = handler.handle(cmd, now_ns=T0)
    assert ack.response is AckResponse.ACK
    assert ack.device == "monitor2"
    assert ack.message_id == cmd.message_id
    assert ack.message is None


@pytest.mark.parametrize(
    "cmd",
    [
        config("no_such_workflow", "panel_0"),
        config("panel_0_xy", "panel_0", instrument="loki"),
    ],
    ids=["unknown_workflow", "other_instrument"],
)
def test_unowned_workflow_config_gets_silence(handler, managers, cmd):
    assert handler.handle(cmd, now_ns=T0) == []
    assert all(len(jobs) == 0 for jobs in managers.values())


def test_invalid_params_get_err_with_the_validation_errors(handler):
    cmd = config("panel_0_xy", "panel_0", {"toa_edges": {"num_bins": 0}})
    [ack] = handler.handle(cmd, now_ns=T0)
    assert ack.response is AckResponse.ERR
    assert ack.device == "panel_0"
    assert "validation error for DetectorViewParams" in ack.message
    assert "num_bins" in ack.message


def test_extra_keys_for_noparams_get_err(handler):
    [ack] = handler.handle(config("total_counts", "panel_0", {"extra": 1}), now_ns=T0)
    assert ack.response is AckResponse.ERR
    assert "NoParams" in ack.message


def test_stop_by_job_id_is_acked_with_the_job_id_as_device(handler, managers):
    job_id = start(handler, "panel_0_xy", "panel_0")
    [ack] = handler.handle(command(JobAction.STOP, job_id=job_id), now_ns=T0)
    assert ack.response is AckResponse.ACK
    assert ack.device == str(job_id)
    assert managers["detector_data"].get(job_id) is None


def test_unknown_job_id_gets_silence(handler):
    unknown = JobId(source_name="panel_0", job_number=uuid.uuid4())
    assert handler.handle(command(JobAction.STOP, job_id=unknown), now_ns=T0) == []


@pytest.mark.parametrize(
    ("action", "text"),
    [
        (JobAction.PAUSE, "Pause action not implemented yet"),
        (JobAction.RESUME, "Resume action not implemented yet"),
    ],
)
def test_pause_and_resume_by_job_id_get_err_from_every_service(handler, action, text):
    job_id = start(handler, "monitor_histogram", "monitor1")
    acks = handler.handle(command(action, job_id=job_id), now_ns=T0)
    assert len(acks) == len(SERVICES)
    assert {ack.response for ack in acks} == {AckResponse.ERR}
    assert {ack.message for ack in acks} == {text}
    assert {ack.device for ack in acks} == {str(job_id)}


def test_pause_for_all_jobs_gets_err_from_every_service(handler):
    start(handler, "panel_0_xy", "panel_0")
    acks = handler.handle(command(JobAction.PAUSE), now_ns=T0)
    assert [ack.response for ack in acks] == [AckResponse.ERR] * len(SERVICES)
    assert {ack.device for ack in acks} == {"all"}


def test_selector_without_matching_jobs_gets_silence(handler):
    start(handler, "panel_0_xy", "panel_0")
    assert handler.handle(command(JobAction.STOP, workflow="panel_0_layers"), now_ns=T0) == []


def test_stop_by_workflow_stops_every_job_of_it(handler, managers):
    start(handler, "monitor_histogram", "monitor1")
    start(handler, "monitor_histogram", "monitor2")
    [ack] = handler.handle(command(JobAction.STOP, workflow="monitor_histogram"), now_ns=T0)
    assert ack.device == "all"
    assert ack.response is AckResponse.ACK
    assert len(managers["monitor_data"]) == 0


def test_reset_of_timeseries_gets_err(handler):
    job_id = start(handler, "timeseries_data", "motion2")
    [ack] = handler.handle(command(JobAction.RESET, job_id=job_id), now_ns=T0)
    assert ack.response is AckResponse.ERR
    assert "does not support reset" in ack.message


def test_reset_all_acks_where_supported_and_errs_where_not(handler):
    start(handler, "panel_0_xy", "panel_0")
    start(handler, "timeseries_data", "motion1")
    acks = handler.handle(command(JobAction.RESET), now_ns=T0)
    assert sorted(ack.response for ack in acks) == [AckResponse.ACK, AckResponse.ERR]
