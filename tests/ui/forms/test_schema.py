"""Schema walking: pydantic JSON schema -> form fields (no Panel)."""

from __future__ import annotations

import pytest

from livedash.instruments import load_instrument
from livedash.ui.forms.schema import (
    Choice,
    FieldKind,
    FieldSpec,
    describe_fields,
    display_order,
    humanize,
)


def one(schema_property: dict, defs: dict | None = None) -> FieldSpec:
    schema = {"type": "object", "properties": {"x": schema_property}, "$defs": defs or {}}
    (field,) = describe_fields(schema)
    return field


def test_a_ref_to_a_model_becomes_a_titled_group_of_its_fields() -> None:
    spec = load_instrument("dummy").workflow("dummy/monitor_histogram/1")
    fields = {f.name: f for f in describe_fields(spec.params.json_schema)}
    edges = fields["toa_edges"]
    assert edges.kind is FieldKind.GROUP
    assert edges.title == "Time of Arrival Edges"
    assert [(c.name, c.kind) for c in edges.children] == [
        ("start", FieldKind.NUMBER),
        ("stop", FieldKind.NUMBER),
        ("num_bins", FieldKind.INTEGER),
        ("scale", FieldKind.ENUM),
        ("unit", FieldKind.ENUM),
    ]
    assert edges.children[2].path == ("toa_edges", "num_bins")


def test_keywords_beside_a_ref_win_over_the_target() -> None:
    field = one(
        {"$ref": "#/$defs/Unit", "description": "Unit of the edges.", "default": "ms"},
        {"Unit": {"enum": ["ms", "s"], "title": "Unit", "description": "Allowed units."}},
    )
    assert field.kind is FieldKind.ENUM
    assert field.description == "Unit of the edges."
    assert field.schema_default == "ms"
    assert field.title == "X"


def test_labels_restrict_the_offered_choices_and_name_them() -> None:
    field = one(
        {
            "enum": ["toa", "wavelength"],
            "labels": {"toa": "Time of arrival (TOA)"},
            "type": "string",
        }
    )
    assert field.choices == (Choice(value="toa", label="Time of arrival (TOA)"),)


def test_without_labels_every_enum_value_is_offered() -> None:
    field = one({"enum": ["linear", "log"], "type": "string"})
    assert [c.value for c in field.choices] == ["linear", "log"]


def test_an_optional_field_is_nullable_with_its_inner_kind() -> None:
    field = one({"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}], "default": None})
    assert field.kind is FieldKind.NUMBER
    assert field.nullable
    assert field.minimum == 0


def test_an_optional_ref_is_resolved() -> None:
    field = one(
        {"anyOf": [{"$ref": "#/$defs/Scale"}, {"type": "null"}]},
        {"Scale": {"enum": ["linear", "log"], "type": "string"}},
    )
    assert field.kind is FieldKind.ENUM
    assert field.nullable


def test_a_type_list_with_null_is_nullable() -> None:
    field = one({"type": ["integer", "null"]})
    assert (field.kind, field.nullable) == (FieldKind.INTEGER, True)


def test_all_of_wrapping_a_ref_is_resolved() -> None:
    field = one({"allOf": [{"$ref": "#/$defs/B"}]}, {"B": {"type": "boolean"}})
    assert field.kind is FieldKind.BOOLEAN


def test_bounds_are_kept_and_described() -> None:
    field = one({"type": "number", "exclusiveMinimum": 0, "maximum": 5})
    assert (field.exclusive_minimum, field.maximum) == (0, 5)
    assert field.bounds_text() == "> 0, <= 5"
    assert one({"type": "integer", "minimum": 1, "maximum": 10000}).bounds_text() == "1 to 10000"


@pytest.mark.parametrize(
    "prop",
    [
        {"type": "array", "items": {"type": "number"}},
        {"anyOf": [{"type": "number"}, {"type": "string"}]},
        {"type": "object", "additionalProperties": {"type": "number"}},
        {"$ref": "#/$defs/Missing"},
        {"$ref": "http://elsewhere/schema.json"},
        {"anyOf": [{"$ref": "#/$defs/Obj"}, {"type": "null"}]},
        {},
    ],
)
def test_unsupported_constructs_fall_back_to_a_json_field(prop: dict) -> None:
    defs = {"Obj": {"type": "object", "properties": {"a": {"type": "number"}}}}
    assert one(prop, defs).kind is FieldKind.JSON


def test_a_recursive_model_ends_in_a_json_field() -> None:
    defs = {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}}
    field = one({"$ref": "#/$defs/Node"}, defs)
    leaves = field.leaves()
    assert len(leaves) == 1
    assert leaves[0].kind is FieldKind.JSON


def test_a_model_without_properties_has_no_fields() -> None:
    spec = load_instrument("dummy").workflow("dummy/total_counts/1")
    assert describe_fields(spec.params.json_schema) == ()


def test_the_unit_follows_the_numbers() -> None:
    spec = load_instrument("dummy").workflow("dummy/monitor_histogram/1")
    fields = {f.name: f for f in describe_fields(spec.params.json_schema)}
    names = [f.name for f in display_order(fields["toa_range"].children)]
    assert names == ["start", "stop", "unit", "enabled"]


def test_humanize_titles_untitled_fields() -> None:
    assert humanize("num_bins") == "Num bins"
