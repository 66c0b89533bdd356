"""Payload paths and placing validation messages on fields (no Panel)."""

from __future__ import annotations

import pytest

from livedash.ui.forms.paths import errors_by_field, get_path, parse_path, set_path, split_message


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("<root>", ()),
        ("toa_edges", ("toa_edges",)),
        ("toa_edges.num_bins", ("toa_edges", "num_bins")),
        ("items[2].x", ("items", 2, "x")),
    ],
)
def test_parse_path(text: str, path: tuple) -> None:
    assert parse_path(text) == path


def test_split_message_separates_path_and_text() -> None:
    assert split_message("toa_edges.num_bins: -1 is less than the minimum of 1") == (
        ("toa_edges", "num_bins"),
        "-1 is less than the minimum of 1",
    )


def test_a_message_is_placed_on_the_deepest_field_that_prefixes_its_path() -> None:
    by_field, unplaced = errors_by_field(
        ["toa_edges.num_bins: too small", "toa_edges: unexpected key", "roi[1].x: bad"],
        [("toa_edges",), ("toa_edges", "num_bins"), ("roi",)],
    )
    assert by_field == {
        ("toa_edges", "num_bins"): ["too small"],
        ("toa_edges",): ["unexpected key"],
        ("roi",): ["bad"],
    }
    assert unplaced == []


def test_messages_no_field_claims_stay_whole() -> None:
    by_field, unplaced = errors_by_field(
        ["<root>: Additional properties are not allowed", "other: x"], [("toa_edges",)]
    )
    assert by_field == {}
    assert unplaced == ["<root>: Additional properties are not allowed", "other: x"]


def test_get_path_reads_nested_values_and_defaults_when_missing() -> None:
    payload = {"a": {"b": [1, {"c": 2}]}}
    assert get_path(payload, ("a", "b", 1, "c")) == 2
    assert get_path(payload, ("a", "x"), "missing") == "missing"
    assert get_path(payload, ("a", "b", 5), "missing") == "missing"


def test_set_path_creates_parents_and_copies_the_value() -> None:
    payload: dict = {"a": 1}
    value = {"deep": [1]}
    set_path(payload, ("a", "b"), value)
    value["deep"].append(2)
    assert payload == {"a": {"b": {"deep": [1]}}}


def test_set_path_refuses_an_empty_path() -> None:
    with pytest.raises(ValueError, match="empty path"):
        set_path({}, (), 1)
