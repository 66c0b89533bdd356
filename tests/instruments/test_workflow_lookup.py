"""WorkflowSpec and Instrument lookups: aux defaults, workflow ids, groups, views."""

from __future__ import annotations

from typing import Any

import pytest

from livedash.instruments import Instrument, UnknownWorkflowError
from livedash.protocol.ids import WorkflowId


def test_panel_0_xy_default_aux_sources_are_the_two_roi_streams(dummy: Instrument) -> None:
    spec = dummy.workflow("dummy/panel_0_xy/1")
    assert spec.default_aux_source_names() == {
        "roi_rectangle": "roi_rectangle",
        "roi_polygon": "roi_polygon",
    }


def test_workflow_without_aux_sources_has_empty_defaults(dummy: Instrument) -> None:
    assert dummy.workflow("dummy/panel_0_layers/1").default_aux_source_names() == {}


def test_default_aux_sources_agree_with_every_sampled_workflow_config(
    dummy: Instrument, workflow_config_samples: dict[str, dict[str, Any]]
) -> None:
    derived = {
        name: dummy.workflow(
            WorkflowId.model_validate(cmd["identifier"])
        ).default_aux_source_names()
        for name, cmd in workflow_config_samples.items()
    }
    sent = {name: cmd["aux_source_names"] for name, cmd in workflow_config_samples.items()}
    assert derived == sent


def test_workflow_is_found_by_id_or_by_string_form(dummy: Instrument) -> None:
    wid = WorkflowId(instrument="dummy", name="total_counts", version=1)
    assert dummy.workflow(wid) is dummy.workflow("dummy/total_counts/1")


@pytest.mark.parametrize(
    "key", ["dummy/total_counts/2", "other/total_counts/1", "not-a-workflow-id"]
)
def test_unknown_workflow_raises_a_key_error_naming_known_ids(dummy: Instrument, key: str) -> None:
    with pytest.raises(KeyError) as caught:
        dummy.workflow(key)
    assert isinstance(caught.value, UnknownWorkflowError)
    assert str(caught.value).startswith(f"instrument 'dummy' has no workflow '{key}'")
    assert "dummy/total_counts/1" in str(caught.value)


def test_workflows_keep_file_order(dummy: Instrument) -> None:
    assert [wid.name for wid in dummy.workflows] == [
        "timeseries_data",
        "monitor_histogram",
        "panel_0_xy",
        "panel_0_layers",
        "area_panel_xy",
        "total_counts",
    ]


def test_workflow_groups_keep_file_order(dummy: Instrument) -> None:
    groups = dummy.workflow_groups()
    assert list(groups) == ["timeseries", "monitor_data", "detector_data", "data_reduction"]
    assert [spec.id.name for spec in groups["detector_data"]] == [
        "panel_0_xy",
        "panel_0_layers",
        "area_panel_xy",
    ]


def test_output_view_field_for_names_member_outputs(dummy: Instrument) -> None:
    for spec in dummy.workflows.values():
        for view in spec.output_views:
            assert set(view.field_for.values()) <= set(view.fields) <= set(spec.outputs)


def test_roi_readback_views_offer_only_since_start(dummy: Instrument) -> None:
    view = dummy.workflow("dummy/panel_0_xy/1").output_view("roi_rectangle")
    assert view.windowing_options == ["since_start"]
    assert view.field_for == {"since_start": "roi_rectangle", "per_update": "roi_rectangle"}


def test_unknown_output_view_raises_key_error_naming_known_views(dummy: Instrument) -> None:
    with pytest.raises(KeyError, match="views: histogram, total_counts, total_in_range"):
        dummy.workflow("dummy/monitor_histogram/1").output_view("image")


def test_outputs_are_keyed_by_name_in_file_order(dummy: Instrument) -> None:
    spec = dummy.workflow("dummy/monitor_histogram/1")
    assert list(spec.outputs)[:2] == ["cumulative", "current"]
    assert all(key == output.name for key, output in spec.outputs.items())


def test_instrument_models_are_frozen(dummy: Instrument) -> None:
    spec = dummy.workflow("dummy/total_counts/1")
    with pytest.raises(ValueError, match="frozen"):
        spec.title = "changed"  # type: ignore[misc]
