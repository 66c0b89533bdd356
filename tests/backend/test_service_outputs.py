"""Results on the data topic have the real backend's wire structure, per workflow."""

from __future__ import annotations

import itertools
import json

import pytest

from livedash.protocol.ids import JobId, ResultKey
from livedash.protocol.roi import encode_roi_request
from tests.samples import samples_dir

from .conftest import load_sample, sample_names
from .harness import Harness, expected_structure, structure

# (workflow, source) of the job each workflow's outputs are taken from.
JOBS = {
    "panel_0_xy": "panel_0",
    "panel_0_layers": "panel_0",
    "area_panel_xy": "area_panel",
    "monitor_histogram": "monitor1",
    "total_counts": "panel_0",
    "timeseries_data": "motion1",
}


def observed_outputs(*, collecting: bool = False) -> dict[str, dict]:
    """The outputs the captured samples show per workflow. Without the shared folder a
    test skips; while collecting, nothing is parametrized (pytest reports it skipped)."""
    folder = samples_dir()
    if folder is None:
        if collecting:
            return {}
        pytest.skip("the shared protocol folder (instrument_dummy.json) is absent")
    document = json.loads((folder.parent / "instrument_dummy.json").read_text(encoding="utf-8"))
    by_workflow = document["observed_wire_outputs"]["by_workflow"]
    return {key.split("/")[1]: outputs for key, outputs in by_workflow.items()}


def emitted(
    harness: Harness, workflow: str, seconds: float = 2.0, *, clear_rectangles: bool = False
) -> dict[str, object]:
    """Start a job of ``workflow`` with the sampled ROIs (panel_0_xy) and collect outputs."""
    if workflow == "panel_0_xy":
        config = load_sample("cmd_workflow_config_panel_0_xy_default")
        harness.command(config.value)
        harness.step()
        harness.roi(load_sample("roi_rectangle_2rois").value)
        harness.roi(load_sample("roi_polygon_1roi").value)
        if clear_rectangles:
            job_id = JobId.model_validate(config.sidecar["json"]["job_id"])
            harness.roi(encode_roi_request(job_id, "roi_rectangle", {}))
    else:
        harness.start(workflow, JOBS[workflow])
    harness.run_for(seconds)
    return {key.output_name: message for key, message in harness.results()}


@pytest.mark.parametrize("workflow", sorted(JOBS))
def test_workflow_emits_exactly_the_observed_outputs(dummy, clock, workflow):
    outputs = emitted(Harness(dummy, clock), workflow)
    assert set(outputs) == set(observed_outputs()[workflow])


@pytest.mark.parametrize(
    ("workflow", "output"),
    [
        (workflow, output)
        for workflow, outputs in observed_outputs(collecting=True).items()
        for output in outputs
    ],
)
def test_output_matches_the_observed_wire_structure(dummy, clock, workflow, output):
    observed = observed_outputs()[workflow][output]
    message = emitted(Harness(dummy, clock), workflow)[output]
    assert structure(message.data) == expected_structure(observed, label=observed["label"])
    assert list(message.data.shape) == observed["shape"]


@pytest.mark.parametrize("name", sample_names("da00_"))
def test_output_matches_the_da00_sample_structure(dummy, clock, name):
    sample = load_sample(name)
    key = ResultKey.model_validate(sample.sidecar["result_key"])
    workflow = key.workflow_id.name
    if workflow not in JOBS:
        pytest.skip(f"no job recipe for {workflow}")
    harness = Harness(dummy, clock)
    outputs = emitted(
        harness, workflow, clear_rectangles="rectangles cleared" in sample.sidecar["scenario_step"]
    )
    message = outputs[key.output_name]
    decoded = sample.sidecar["decoded"]
    assert structure(message.data) == expected_structure(decoded)
    if "nondefault" not in name:
        assert list(message.data.shape) == decoded["shape"]
    for coord, info in decoded["coords"].items():
        assert list(message.data.coords[coord].shape) == info["shape"]


def test_result_key_and_timestamp_identify_the_job(dummy, clock):
    harness = Harness(dummy, clock)
    job_id = harness.start("total_counts", "panel_0")
    started = clock.wall_ns()
    harness.run_for(3.0)
    results = harness.results()
    assert results
    for key, message in results:
        assert key.job_id == job_id
        assert str(key.workflow_id) == "dummy/total_counts/1"
        assert message.timestamp_ns == started
        assert message.data.coords["start_time"].value == started


def test_cumulative_start_time_is_fixed_and_window_bounds_follow_updates(dummy, clock):
    harness = Harness(dummy, clock)
    harness.start("monitor_histogram", "monitor2")
    harness.run_for(3.0, tick=1.0)
    by_output: dict[str, list] = {}
    for key, message in harness.results():
        by_output.setdefault(key.output_name, []).append(message.data)
    cumulative, current = by_output["cumulative"], by_output["current"]
    assert len(cumulative) == 3
    assert len({da.coords["start_time"].value for da in cumulative}) == 1
    for before, after in itertools.pairwise(current):
        assert after.coords["start_time"].value == before.coords["time"].value


def test_counts_accumulate_across_updates(dummy, clock):
    harness = Harness(dummy, clock)
    harness.start("total_counts", "panel_0")
    harness.run_for(3.0, tick=1.0)
    totals = [message.data.value for _, message in harness.results()]
    assert totals == sorted(totals)
    assert totals[0] > 0


def test_updates_follow_the_update_interval(dummy, clock):
    harness = Harness(dummy, clock, update_interval_s=0.5)
    harness.start("total_counts", "panel_0")
    harness.run_for(5.0, tick=0.25)
    assert len(harness.results()) == 10


def test_no_results_without_jobs(dummy, clock):
    harness = Harness(dummy, clock)
    harness.run_for(5.0)
    assert harness.results() == []


def test_timeseries_deltas_hold_only_new_samples(dummy, clock):
    harness = Harness(dummy, clock)
    harness.start("timeseries_data", "motion2")
    harness.run_for(3.0, tick=1.0)
    times = [message.data.coords["time"].values for _, message in harness.results()]
    assert len(times) == 3
    for before, after in itertools.pairwise(times):
        assert before.max() < after.min()
