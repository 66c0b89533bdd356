"""The shipped dummy instrument matches PROTOCOL.md section 6."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from livedash.instruments import Instrument
from livedash.protocol.ids import WorkflowId
from livedash.protocol.topics import StreamKind, topic_for

C, W, S = "cumulative", "window", "series"
TOTALS = {
    "counts_total_cumulative": C,
    "counts_total": W,
    "counts_in_toa_range_cumulative": C,
    "counts_in_toa_range": W,
}
DETECTOR_VIEW = {
    "cumulative": C,
    "current": W,
    **TOTALS,
    "roi_spectra_cumulative": C,
    "roi_spectra_current": W,
    "roi_rectangle": C,
    "roi_polygon": C,
}

# workflow name -> (service, group, sources, params model, {output: temporality})
SECTION_6 = {
    "timeseries_data": (
        "timeseries",
        "timeseries",
        ["motion1", "motion2"],
        "NoParams",
        {"delta": S},
    ),
    "monitor_histogram": (
        "monitor_data",
        "monitor_data",
        ["monitor1", "monitor2"],
        "TOAOnlyMonitorDataParams",
        {"cumulative": C, "current": W, **TOTALS},
    ),
    "panel_0_xy": (
        "detector_data",
        "detector_data",
        ["panel_0"],
        "DetectorViewParams",
        DETECTOR_VIEW,
    ),
    "panel_0_layers": (
        "detector_data",
        "detector_data",
        ["panel_0"],
        "DetectorViewParams",
        {"cumulative": C, "current": W, **TOTALS},
    ),
    "area_panel_xy": ("detector_data", "detector_data", ["area_panel"], "NoParams", DETECTOR_VIEW),
    "total_counts": (
        "data_reduction",
        "data_reduction",
        ["panel_0"],
        "NoParams",
        {"total_counts": C},
    ),
}


def test_dummy_has_exactly_the_six_workflows_of_section_6(dummy: Instrument) -> None:
    assert {wid.name for wid in dummy.workflows} == set(SECTION_6)
    assert all(wid.instrument == "dummy" and wid.version == 1 for wid in dummy.workflows)


@pytest.mark.parametrize("name", list(SECTION_6))
def test_workflow_service_group_sources_and_params_model(dummy: Instrument, name: str) -> None:
    service, group, sources, model, _ = SECTION_6[name]
    spec = dummy.workflow(f"dummy/{name}/1")
    assert (spec.service, spec.group.name, spec.source_names, spec.params.model_name) == (
        service,
        group,
        sources,
        model,
    )


@pytest.mark.parametrize("name", list(SECTION_6))
def test_workflow_outputs_and_temporalities(dummy: Instrument, name: str) -> None:
    expected = SECTION_6[name][4]
    spec = dummy.workflow(f"dummy/{name}/1")
    assert {out.name: out.temporality for out in spec.outputs.values()} == expected


def test_only_the_timeseries_workflow_refuses_reset_and_run_transitions(dummy: Instrument) -> None:
    no_reset = [str(s.id) for s in dummy.workflows.values() if not s.supports_reset]
    no_transition = [str(s.id) for s in dummy.workflows.values() if not s.reset_on_run_transition]
    assert no_reset == no_transition == ["dummy/timeseries_data/1"]


def test_only_panel_0_xy_has_aux_sources(dummy: Instrument) -> None:
    with_aux = [s.id.name for s in dummy.workflows.values() if s.aux_sources is not None]
    assert with_aux == ["panel_0_xy"]


def test_detector_view_declares_the_six_output_views(dummy: Instrument) -> None:
    spec = dummy.workflow("dummy/panel_0_xy/1")
    names = [view.name for view in spec.output_views]
    assert names == [
        "image",
        "total_counts",
        "total_in_range",
        "roi_spectra",
        "roi_rectangle",
        "roi_polygon",
    ]


def test_image_view_shows_cumulative_since_start_and_current_per_update(
    dummy: Instrument,
) -> None:
    view = dummy.workflow("dummy/panel_0_xy/1").output_view("image")
    assert view.field_for == {"since_start": "cumulative", "per_update": "current"}


def test_monitor_views_are_histogram_and_totals(dummy: Instrument) -> None:
    spec = dummy.workflow("dummy/monitor_histogram/1")
    assert [view.name for view in spec.output_views] == [
        "histogram",
        "total_counts",
        "total_in_range",
    ]


def test_templates_use_placeholder_dims_but_observed_wire_uses_real_dims(
    dummy: Instrument,
) -> None:
    wid = WorkflowId.parse("dummy/panel_0_xy/1")
    template = dummy.workflow(wid).outputs["cumulative"].template
    observed = dummy.observed_wire_outputs[wid]["cumulative"]
    assert (template.dims, template.ndim) == (["dim_0", "dim_1"], 2)
    assert (observed.dims, observed.shape) == (["y", "x"], [128, 128])


def test_area_panel_observed_outputs_are_only_cumulative_and_current(dummy: Instrument) -> None:
    observed = dummy.observed_wire_outputs[WorkflowId.parse("dummy/area_panel_xy/1")]
    assert sorted(observed) == ["cumulative", "current"]


def test_timeseries_observed_time_axis_is_datetime64(dummy: Instrument) -> None:
    observed = dummy.observed_wire_outputs[WorkflowId.parse("dummy/timeseries_data/1")]["delta"]
    assert observed.coords["time"].dtype == "datetime64"


def test_log_sources_carry_their_units(dummy: Instrument) -> None:
    assert {name: s.unit for name, s in dummy.sources.items() if s.kind == "log"} == {
        "motion1": "mm",
        "motion2": "deg",
    }


def test_roi_geometries_split_indices_into_rectangles_and_polygons(dummy: Instrument) -> None:
    ranges = {g.geometry_type: list(g.index_range) for g in dummy.roi_geometries}
    assert ranges == {"rectangle": [0, 1, 2, 3], "polygon": [4, 5, 6, 7]}


def test_livedata_topics_follow_the_naming_rule(dummy: Instrument) -> None:
    assert dummy.topics["livedata_data"] == topic_for("dummy", StreamKind.DATA)
    assert dummy.topics["livedata_heartbeat"] == topic_for("dummy", StreamKind.STATUS)


def test_grid_template_references_detector_images(dummy: Instrument) -> None:
    (template,) = dummy.grid_templates
    refs = [(str(ref.workflow_id), ref.view_name) for ref in template.data_sources()]
    assert refs == [("dummy/area_panel_xy/1", "image"), ("dummy/panel_0_xy/1", "image")]


def test_dim_titles_keep_unicode(dummy: Instrument) -> None:
    assert dummy.dim_titles["wavelength"] == "λ"


def test_dumping_the_loaded_instrument_gives_back_the_file(
    dummy: Instrument, packaged_dummy_path: Path
) -> None:
    on_disk = json.loads(packaged_dummy_path.read_text(encoding="utf-8"))
    assert dummy.model_dump(mode="json", by_alias=True) == on_disk
