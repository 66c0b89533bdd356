"""Stop, reset, recommit and ROI echo through the fake backend's topics."""

from __future__ import annotations

import numpy as np
import scipp as sc

from livedash.protocol.acks import AckResponse
from livedash.protocol.commands import JobAction, WorkflowConfig
from livedash.protocol.da00 import encode_da00
from livedash.protocol.ids import JobId
from livedash.protocol.roi import PolygonROI, RectangleROI, encode_roi_request
from livedash.protocol.status import JobStatus

from .harness import Harness


def job_beats(harness, job_id):
    return [
        beat.status
        for beat in harness.heartbeats()
        if isinstance(beat.status, JobStatus) and beat.status.job_id == job_id
    ]


def outputs(harness, name):
    return [message.data for key, message in harness.results() if key.output_name == name]


def test_stop_ends_results_and_heartbeats_of_the_job(dummy, clock):
    harness = Harness(dummy, clock)
    job_id = harness.start("monitor_histogram", "monitor1")
    harness.run_for(2.0)
    harness.job_command(JobAction.STOP, job_id=job_id)
    [ack] = harness.acks()[-1:]
    assert ack.device == str(job_id)
    harness.results()
    harness.heartbeats()
    harness.run_for(4.0)
    assert harness.results() == []
    assert job_beats(harness, job_id) == []


def test_reset_restarts_accumulation_and_start_time(dummy, clock):
    harness = Harness(dummy, clock)
    job_id = harness.start("panel_0_xy", "panel_0")
    harness.run_for(3.0, tick=1.0)
    harness.results()
    reset_at = clock.wall_ns()
    harness.job_command(JobAction.RESET, job_id=job_id)
    assert harness.acks()[-1].response is AckResponse.ACK
    harness.step(1.0)
    latest = {key.output_name: message.data for key, message in harness.results()}
    cumulative, current = latest["counts_total_cumulative"], latest["counts_total"]
    assert cumulative.coords["start_time"].value == reset_at
    assert cumulative.value == current.value


def test_reset_start_time_appears_in_heartbeats(dummy, clock):
    harness = Harness(dummy, clock)
    job_id = harness.start("total_counts", "panel_0")
    harness.run_for(2.0)
    reset_at = clock.wall_ns()
    harness.job_command(JobAction.RESET, job_id=job_id)
    harness.run_for(2.0)
    assert job_beats(harness, job_id)[-1].start_time == reset_at


def test_recommit_with_the_same_job_id_replaces_the_job(dummy, clock):
    harness = Harness(dummy, clock)
    job_id = harness.start("total_counts", "panel_0")
    harness.run_for(3.0, tick=1.0)
    before = outputs(harness, "total_counts")[-1].value
    spec = dummy.workflow("dummy/total_counts/1")
    harness.command(WorkflowConfig(identifier=spec.id, job_id=job_id, params={}))
    harness.step()
    harness.step(1.0)
    after = outputs(harness, "total_counts")[-1].value
    assert after < before
    assert [job.job_id for job in harness.backend.jobs()] == [job_id]


def test_roi_requests_are_echoed_and_add_spectra_rows(dummy, clock):
    harness = Harness(dummy, clock)
    job_id = harness.start("panel_0_xy", "panel_0")
    rectangle = {1: RectangleROI(x_min=5.0, x_max=25.0, y_min=10.0, y_max=30.0)}
    polygon = {5: PolygonROI(x=[0.0, 60.0, 30.0], y=[0.0, 0.0, 50.0])}
    harness.roi(encode_roi_request(job_id, "roi_rectangle", rectangle))
    harness.roi(encode_roi_request(job_id, "roi_polygon", polygon))
    harness.step(1.0)
    [readback] = outputs(harness, "roi_rectangle")
    assert readback.coords["x"].values.tolist() == [5.0, 25.0]
    assert readback.coords["roi_index"].values.tolist() == [1, 1]
    harness.step(1.0)
    [spectra] = outputs(harness, "roi_spectra_current")
    assert spectra.coords["roi"].values.tolist() == [1, 5]
    assert np.all(spectra.values.sum(axis=1) > 0)


def test_empty_roi_request_clears_the_readback(dummy, clock):
    harness = Harness(dummy, clock)
    job_id = harness.start("panel_0_xy", "panel_0")
    rectangle = {0: RectangleROI(x_min=5.0, x_max=25.0, y_min=10.0, y_max=30.0)}
    harness.roi(encode_roi_request(job_id, "roi_rectangle", rectangle))
    harness.step(1.0)
    harness.roi(encode_roi_request(job_id, "roi_rectangle", {}))
    harness.results()
    harness.step(1.0)
    [readback] = outputs(harness, "roi_rectangle")
    assert readback.shape == (0,)


def test_roi_for_another_job_is_ignored_and_counted(dummy, clock):
    harness = Harness(dummy, clock)
    harness.start("panel_0_xy", "panel_0")
    stranger = JobId.model_validate(
        {"source_name": "panel_0", "job_number": "00000000-0000-4000-8000-000000000000"}
    )
    rectangle = {0: RectangleROI(x_min=5.0, x_max=25.0, y_min=10.0, y_max=30.0)}
    harness.roi(encode_roi_request(stranger, "roi_rectangle", rectangle))
    harness.step(1.0)
    [readback] = outputs(harness, "roi_rectangle")
    assert readback.shape == (0,)
    assert harness.backend.bad_input.counts["roi:unknown_job"] == 1


def test_roi_that_cannot_be_echoed_is_counted_and_the_job_keeps_running(dummy, clock):
    harness = Harness(dummy, clock)
    job_id = harness.start("panel_0_xy", "panel_0")
    huge = {2**40: RectangleROI(x_min=5.0, x_max=25.0, y_min=10.0, y_max=30.0)}
    da = rois_to_data_array_unchecked(huge)
    harness.roi(encode_da00(da, source_name=f"{job_id}/roi_rectangle", timestamp_ns=0))
    harness.step(1.0)
    assert harness.backend.bad_input.counts["roi:invalid"] == 1
    assert len(outputs(harness, "roi_rectangle")) == 1


def rois_to_data_array_unchecked(rois):
    """A rectangle request whose ROI index does not fit int32 (the encoder refuses it)."""
    xs, ys, index = [], [], []
    for i, roi in rois.items():
        xs += [roi.x_min, roi.x_max]
        ys += [roi.y_min, roi.y_max]
        index += [i, i]
    return sc.DataArray(
        sc.array(dims=["bounds"], values=np.ones(len(xs), dtype=np.int32)),
        coords={
            "x": sc.array(dims=["bounds"], values=np.array(xs), unit=None),
            "y": sc.array(dims=["bounds"], values=np.array(ys), unit=None),
            "roi_index": sc.array(dims=["bounds"], values=np.array(index, dtype=np.int64)),
        },
    )
