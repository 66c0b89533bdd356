"""The generated params form: value, inline validation, reset."""

from __future__ import annotations

from typing import Any

import panel as pn
import pytest

from livedash.instruments import ParamsSpec, load_instrument
from livedash.ui.forms import NO_PARAMETERS, ParamsForm


@pytest.fixture(scope="module")
def monitor() -> ParamsSpec:
    return load_instrument("dummy").workflow("dummy/monitor_histogram/1").params


@pytest.fixture(scope="module")
def detector() -> ParamsSpec:
    return load_instrument("dummy").workflow("dummy/panel_0_xy/1").params


def spec_of(properties: dict[str, Any], default: dict[str, Any]) -> ParamsSpec:
    return ParamsSpec(
        model_name="Test",
        extra="ignore",
        json_schema={"type": "object", "properties": properties},
        default=default,
    )


def test_an_untouched_form_holds_the_recorded_default(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    assert form.value == monitor.default
    assert form.is_valid


def test_the_form_shows_the_given_payload(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor, value={"toa_edges": {"num_bins": 60, "unit": "us"}})
    assert form.widget("toa_edges", "num_bins").value == 60
    assert form.widget("toa_edges", "unit").value == "us"
    assert form.value["toa_edges"]["stop"] == 71.43


def test_editing_a_widget_changes_the_value(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    form.widget("toa_range", "enabled").value = True
    form.widget("toa_edges", "stop").value = 50.0
    assert form.value["toa_range"]["enabled"] is True
    assert form.value["toa_edges"]["stop"] == 50.0


def test_the_widgets_match_the_field_types(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    assert isinstance(form.widget("toa_edges", "start"), pn.widgets.FloatInput)
    assert isinstance(form.widget("toa_edges", "num_bins"), pn.widgets.IntInput)
    assert isinstance(form.widget("toa_edges", "scale"), pn.widgets.Select)
    assert isinstance(form.widget("toa_range", "enabled"), pn.widgets.Checkbox)


def test_an_enum_offers_only_its_labelled_values(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    assert form.widget("coordinate_mode", "mode").options == {"Time of arrival (TOA)": "toa"}


def test_an_enum_offers_every_unit(detector: ParamsSpec) -> None:
    form = ParamsForm(spec=detector)
    assert list(form.widget("toa_edges", "unit").options.values()) == ["ns", "us", "μs", "ms", "s"]


def test_an_invalid_value_is_shown_inline_and_makes_the_form_invalid(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    form.widget("toa_edges", "num_bins").value = 0
    assert not form.is_valid
    assert form.field_errors("toa_edges", "num_bins") == ["0 is less than the minimum of 1"]
    assert form.field_errors("toa_edges", "start") == []
    editor_errors = form._editors[("toa_edges", "num_bins")].error_pane
    assert editor_errors.visible
    assert "0 is less than the minimum of 1" in editor_errors.object


def test_an_emptied_required_number_is_an_inline_error(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    form.widget("toa_edges", "stop").value = None
    assert not form.is_valid
    assert form.field_errors("toa_edges", "stop") == ["None is not of type 'number'"]


def test_reset_restores_the_defaults_and_clears_the_errors(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    form.widget("toa_edges", "num_bins").value = -5
    form.widget("toa_range", "unit").value = "s"
    form.reset_button.clicks += 1
    assert form.value == monitor.default
    assert form.is_valid
    assert form.field_errors("toa_edges", "num_bins") == []


def test_changes_are_reported_to_the_caller(monitor: ParamsSpec) -> None:
    calls: list[bool] = []
    form = ParamsForm(spec=monitor, on_change=lambda: calls.append(form.is_valid))
    form.widget("toa_edges", "num_bins").value = -1
    form.widget("toa_edges", "num_bins").value = 5
    assert calls == [False, True]


def test_keys_the_form_does_not_show_are_kept(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor, value={"legacy_key": 3})
    assert form.value["legacy_key"] == 3


def test_problems_found_elsewhere_are_placed_on_their_fields(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    form.show_errors(["toa_edges.unit: rejected", "<root>: something global"])
    assert form.field_errors("toa_edges", "unit") == ["rejected"]
    assert form.form_errors() == ["<root>: something global"]


def test_a_model_without_parameters_says_so() -> None:
    params = load_instrument("dummy").workflow("dummy/total_counts/1").params
    form = ParamsForm(spec=params)
    assert not form.has_fields
    assert NO_PARAMETERS in form.panel.object
    assert form.value == {}
    assert form.is_valid


def test_an_unsupported_construct_is_edited_as_json() -> None:
    spec = spec_of({"edges": {"type": "array", "items": {"type": "number"}}}, {"edges": [1, 2]})
    form = ParamsForm(spec=spec)
    widget = form.widget("edges")
    assert isinstance(widget, pn.widgets.TextAreaInput)
    widget.value = "[1, 2, 3]"
    assert form.value == {"edges": [1, 2, 3]}
    widget.value = "[1, 2"
    assert not form.is_valid
    assert form.field_errors("edges")[0].startswith("not valid JSON")


def test_a_json_field_with_a_value_of_the_wrong_type_is_flagged() -> None:
    spec = spec_of({"edges": {"type": "array", "items": {"type": "number"}}}, {"edges": []})
    form = ParamsForm(spec=spec)
    form.widget("edges").value = '["a"]'
    assert form.field_errors("edges") == ["'a' is not of type 'number'"]


def test_an_optional_number_may_be_left_empty() -> None:
    prop = {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "null"}]}
    form = ParamsForm(spec=spec_of({"limit": prop}, {"limit": None}))
    assert form.widget("limit").value is None
    assert form.is_valid
    form.widget("limit").value = -1.0
    assert form.field_errors("limit") == ["-1.0 is less than or equal to the minimum of 0"]


def test_an_optional_enum_offers_not_set() -> None:
    prop = {"anyOf": [{"enum": ["a", "b"], "type": "string"}, {"type": "null"}]}
    form = ParamsForm(spec=spec_of({"choice": prop}, {"choice": None}))
    assert form.widget("choice").options == {"(not set)": None, "a": "a", "b": "b"}
    form.widget("choice").value = "b"
    assert form.value == {"choice": "b"}


def test_a_string_field_is_a_text_input() -> None:
    form = ParamsForm(spec=spec_of({"label": {"type": "string"}}, {"label": "x"}))
    form.widget("label").value = "detector A"
    assert form.value == {"label": "detector A"}


def test_a_value_outside_the_offered_choices_is_shown_not_replaced() -> None:
    prop = {"enum": ["toa", "wavelength"], "labels": {"toa": "TOA"}, "type": "string"}
    form = ParamsForm(spec=spec_of({"mode": prop}, {"mode": "toa"}), value={"mode": "wavelength"})
    assert form.widget("mode").value == "wavelength"
    assert form.value == {"mode": "wavelength"}


def test_a_group_shows_its_unit_beside_its_numbers(monitor: ParamsSpec) -> None:
    form = ParamsForm(spec=monitor)
    start = form.widget("toa_range", "start")
    (row,) = [
        flex
        for flex in form.panel.select(pn.FlexBox)
        if any(start in column.objects for column in flex.objects)
    ]
    labels = [column.objects[0].label for column in row.objects]
    assert labels == ["Start", "Stop", "Unit", "Enabled"]
