"""ParamsSpec: jsonschema validation with readable messages, defaults and merging."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from livedash.instruments import Instrument, ParamsSpec
from livedash.protocol.ids import WorkflowId


@pytest.fixture
def detector_params(dummy: Instrument) -> ParamsSpec:
    return dummy.workflow("dummy/panel_0_xy/1").params


@pytest.fixture
def monitor_params(dummy: Instrument) -> ParamsSpec:
    return dummy.workflow("dummy/monitor_histogram/1").params


@pytest.fixture
def no_params(dummy: Instrument) -> ParamsSpec:
    return dummy.workflow("dummy/total_counts/1").params


def _with(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, leaf = path.split(".")
    node = payload
    for part in parents:
        node = node[part]
    node[leaf] = value
    return payload


def test_recorded_default_of_every_workflow_validates(dummy: Instrument) -> None:
    problems = {str(s.id): s.params.validate(s.params.default) for s in dummy.workflows.values()}
    assert problems == {wid: [] for wid in problems}


def test_default_is_the_recorded_payload_not_the_defs_defaults(
    detector_params: ParamsSpec,
) -> None:
    defs_default = detector_params.json_schema["$defs"]["TOAEdges"]["properties"]["stop"]
    assert defs_default["default"] == 10.0
    assert detector_params.default_payload()["toa_edges"]["stop"] == 71.43


def test_default_payload_matches_what_the_dashboard_sent(
    dummy: Instrument, workflow_config_samples: dict[str, dict[str, Any]]
) -> None:
    sent = workflow_config_samples["cmd_workflow_config_panel_0_xy_default"]["params"]
    assert dummy.workflow("dummy/panel_0_xy/1").params.default_payload() == sent


def test_every_sampled_workflow_config_payload_validates(
    dummy: Instrument, workflow_config_samples: dict[str, dict[str, Any]]
) -> None:
    problems = {
        name: dummy.workflow(WorkflowId.model_validate(cmd["identifier"])).params.validate(
            cmd["params"]
        )
        for name, cmd in workflow_config_samples.items()
    }
    assert problems == {name: [] for name in problems}


def test_merge_with_default_reproduces_the_nondefault_sample(
    detector_params: ParamsSpec, workflow_config_samples: dict[str, dict[str, Any]]
) -> None:
    changes = {
        "toa_range": {"start": 20.0, "stop": 40.0, "enabled": True, "unit": "ms"},
        "toa_edges": {"start": 5.0, "stop": 65.0, "num_bins": 60},
    }
    sent = workflow_config_samples["cmd_workflow_config_panel_0_xy_nondefault"]["params"]
    assert detector_params.merge_with_default(changes) == sent


def test_merge_replaces_non_object_values(detector_params: ParamsSpec) -> None:
    merged = detector_params.merge_with_default({"toa_edges": None})
    assert merged["toa_edges"] is None


def test_merge_leaves_the_default_untouched(detector_params: ParamsSpec) -> None:
    merged = detector_params.merge_with_default({"toa_edges": {"num_bins": 7}})
    merged["coordinate_mode"]["mode"] = "wavelength"
    assert detector_params.default["toa_edges"]["num_bins"] == 100
    assert detector_params.default["coordinate_mode"]["mode"] == "toa"


def test_merge_rejects_a_non_mapping(detector_params: ParamsSpec) -> None:
    with pytest.raises(ValueError, match="must be a mapping"):
        detector_params.merge_with_default(["toa_edges"])  # type: ignore[arg-type]


def test_default_payload_is_a_fresh_copy(detector_params: ParamsSpec) -> None:
    detector_params.default_payload()["toa_edges"]["num_bins"] = 1
    assert detector_params.default_payload()["toa_edges"]["num_bins"] == 100


def test_out_of_range_value_is_reported_with_its_path(detector_params: ParamsSpec) -> None:
    payload = _with(detector_params.default_payload(), "toa_edges.num_bins", -1)
    assert detector_params.validate(payload) == [
        "toa_edges.num_bins: -1 is less than the minimum of 1"
    ]


def test_value_above_maximum_is_rejected(detector_params: ParamsSpec) -> None:
    payload = _with(detector_params.default_payload(), "wavelength_edges.num_bins", 10001)
    assert detector_params.validate(payload) == [
        "wavelength_edges.num_bins: 10001 is greater than the maximum of 10000"
    ]


def test_wrong_type_is_rejected(detector_params: ParamsSpec) -> None:
    payload = _with(detector_params.default_payload(), "toa_range.start", "zero")
    assert detector_params.validate(payload) == ["toa_range.start: 'zero' is not of type 'number'"]


def test_boolean_is_not_accepted_as_a_number(detector_params: ParamsSpec) -> None:
    payload = _with(detector_params.default_payload(), "toa_edges.stop", True)
    assert detector_params.validate(payload) == ["toa_edges.stop: True is not of type 'number'"]


def test_unknown_enum_value_is_rejected(detector_params: ParamsSpec) -> None:
    payload = _with(detector_params.default_payload(), "toa_edges.unit", "usec")
    (message,) = detector_params.validate(payload)
    assert message.startswith("toa_edges.unit: 'usec' is not one of ")


@pytest.mark.parametrize("unit", ["us", "μs", "ns", "ms", "s"])
def test_every_time_unit_member_is_accepted(detector_params: ParamsSpec, unit: str) -> None:
    payload = _with(detector_params.default_payload(), "toa_range.unit", unit)
    assert detector_params.validate(payload) == []


def test_micro_sign_is_not_the_greek_mu_the_schema_lists(detector_params: ParamsSpec) -> None:
    payload = _with(detector_params.default_payload(), "toa_range.unit", "\u00b5s")
    (message,) = detector_params.validate(payload)
    assert message.startswith("toa_range.unit: ")


def test_every_problem_is_reported(detector_params: ParamsSpec) -> None:
    payload = _with(detector_params.default_payload(), "toa_edges.num_bins", 0)
    _with(payload, "pixel_weighting.enabled", "yes")
    assert len(detector_params.validate(payload)) == 2


def test_payload_that_is_not_an_object_is_reported_at_root(detector_params: ParamsSpec) -> None:
    assert detector_params.validate([]) == ["<root>: [] is not of type 'object'"]


def test_no_params_accepts_only_the_empty_object(no_params: ParamsSpec) -> None:
    assert no_params.validate({}) == []


def test_no_params_rejects_any_key(no_params: ParamsSpec) -> None:
    assert no_params.validate({"toa_edges": {}}) == [
        "<root>: Additional properties are not allowed ('toa_edges' was unexpected)"
    ]


def test_extra_ignore_lets_unknown_keys_through_as_the_backend_does(
    detector_params: ParamsSpec,
) -> None:
    assert detector_params.extra == "ignore"
    assert detector_params.validate({**detector_params.default_payload(), "bogus": 1}) == []


def test_extra_forbid_rejects_unknown_keys_even_if_the_schema_allows_them() -> None:
    spec = ParamsSpec(
        model_name="Loose",
        extra="forbid",
        json_schema={"type": "object", "properties": {"a": {"type": "integer"}}},
        default={"a": 1},
    )
    assert spec.validate({"a": 1, "b": 2}) == [
        "<root>: Additional properties are not allowed ('b' was unexpected)"
    ]


def test_missing_required_field_is_rejected() -> None:
    spec = ParamsSpec(
        model_name="Needs",
        extra="ignore",
        json_schema={
            "type": "object",
            "properties": {"edges": {"$ref": "#/$defs/Edges"}},
            "required": ["edges"],
            "$defs": {
                "Edges": {
                    "type": "object",
                    "properties": {"num_bins": {"type": "integer"}},
                    "required": ["num_bins"],
                }
            },
        },
        default={"edges": {"num_bins": 3}},
    )
    assert spec.validate({}) == ["<root>: 'edges' is a required property"]
    assert spec.validate({"edges": {}}) == ["edges: 'num_bins' is a required property"]


def test_optional_field_reports_the_relevant_alternative() -> None:
    spec = ParamsSpec(
        model_name="Optional",
        extra="ignore",
        json_schema={
            "type": "object",
            "properties": {
                "limit": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]}
            },
        },
        default={"limit": None},
    )
    assert spec.validate({"limit": -5}) == ["limit: -5 is less than the minimum of 0"]
    assert spec.validate({"limit": "x"}) == ["limit: 'x' is not of type 'integer'"]


def test_field_titles_come_from_the_schema(monitor_params: ParamsSpec) -> None:
    assert monitor_params.field_titles() == {
        "coordinate_mode": "Coordinate Mode",
        "toa_edges": "Time of Arrival Edges",
        "toa_range": "Time of Arrival Range",
    }


def test_spec_with_a_default_the_schema_rejects_is_refused() -> None:
    with pytest.raises(ValidationError, match="default does not satisfy json_schema"):
        ParamsSpec(
            model_name="Bad",
            extra="forbid",
            json_schema={"type": "object", "properties": {}},
            default={"x": 1},
        )


def test_spec_with_an_invalid_schema_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a valid JSON schema"):
        ParamsSpec(model_name="Bad", extra="ignore", json_schema={"type": 5}, default={})
