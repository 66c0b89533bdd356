"""Loading instruments: packaged files, LIVEDASH_INSTRUMENT_PATH, and malformed files."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from livedash.instruments import (
    INSTRUMENT_PATH_ENV,
    InstrumentFileError,
    UnknownInstrumentError,
    available_instruments,
    load_instrument,
    read_instrument_file,
)

WriteInstrument = Callable[[dict[str, Any]], Path]


def test_dummy_is_shipped() -> None:
    assert "dummy" in available_instruments()


def test_loading_is_cached() -> None:
    assert load_instrument("dummy") is load_instrument("dummy")


def test_unknown_instrument_names_the_available_ones() -> None:
    with pytest.raises(
        UnknownInstrumentError, match=r"unknown instrument 'nope'; available: .*dummy"
    ):
        load_instrument("nope")


@pytest.mark.parametrize("name", ["../dummy", "dummy.json", "", "du/mmy"])
def test_names_that_are_not_plain_identifiers_are_refused(name: str) -> None:
    with pytest.raises(UnknownInstrumentError, match="invalid instrument name"):
        load_instrument(name)


def test_instrument_on_the_path_is_loaded_and_listed(
    write_instrument: WriteInstrument, mini_data: dict[str, Any]
) -> None:
    write_instrument(mini_data)
    assert "mini" in available_instruments()
    assert [wid.instrument for wid in load_instrument("mini").workflows] == ["mini"] * 6


def test_path_lists_several_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mini_data: dict[str, Any]
) -> None:
    second = tmp_path / "second"
    second.mkdir()
    (second / "mini.json").write_text(json.dumps(mini_data), encoding="utf-8")
    monkeypatch.setenv(
        INSTRUMENT_PATH_ENV, os.pathsep.join([str(tmp_path / "missing"), str(second)])
    )
    assert load_instrument("mini").name == "mini"


def test_file_on_the_path_overrides_the_packaged_one_with_a_warning(
    write_instrument: WriteInstrument, packaged_dummy_path: Path
) -> None:
    data = json.loads(packaged_dummy_path.read_text(encoding="utf-8"))
    data["dim_titles"]["wavelength"] = "Wavelength"
    write_instrument(data)
    with capture_logs() as logs:
        overridden = load_instrument("dummy")
    assert overridden.dim_titles["wavelength"] == "Wavelength"
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert [entry["instrument"] for entry in warnings] == ["dummy"]


def test_changing_the_path_is_seen_by_the_next_load(
    write_instrument: WriteInstrument, mini_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_instrument(mini_data)
    load_instrument("mini")
    monkeypatch.delenv(INSTRUMENT_PATH_ENV)
    with pytest.raises(UnknownInstrumentError):
        load_instrument("mini")


def test_file_named_differently_from_its_instrument_is_refused(
    tmp_path: Path, mini_data: dict[str, Any]
) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps(mini_data), encoding="utf-8")
    with pytest.raises(InstrumentFileError, match=r"other\.json: declares instrument 'mini'"):
        read_instrument_file(path)


def test_invalid_json_is_reported_with_its_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(INSTRUMENT_PATH_ENV, str(tmp_path))
    (tmp_path / "mini.json").write_text('{"instrument": "mini",\n  oops}', encoding="utf-8")
    with pytest.raises(InstrumentFileError, match=r"mini\.json: not valid JSON \(line 2"):
        load_instrument("mini")


def _workflow(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(spec for spec in data["workflows"] if spec["id"] == f"mini/{name}/1")


def _foreign_workflow(data: dict[str, Any]) -> None:
    _workflow(data, "total_counts")["id"] = "dummy/total_counts/1"


def _view_naming_missing_output(data: dict[str, Any]) -> None:
    _workflow(data, "panel_0_xy")["output_views"][0]["fields"].append("nonexistent")


def _duplicate_workflow(data: dict[str, Any]) -> None:
    data["workflows"].append(_workflow(data, "total_counts"))


def _duplicate_output(data: dict[str, Any]) -> None:
    outputs = _workflow(data, "monitor_histogram")["outputs"]
    outputs.append(outputs[0])


def _duplicate_view(data: dict[str, Any]) -> None:
    views = _workflow(data, "monitor_histogram")["output_views"]
    views.append(views[0])


def _unknown_source(data: dict[str, Any]) -> None:
    _workflow(data, "total_counts")["source_names"] = ["panel_9"]


def _misspelled_key(data: dict[str, Any]) -> None:
    _workflow(data, "total_counts")["supports_rest"] = True


def _missing_key(data: dict[str, Any]) -> None:
    del _workflow(data, "total_counts")["params"]


def _default_violates_schema(data: dict[str, Any]) -> None:
    _workflow(data, "panel_0_xy")["params"]["default"]["toa_edges"]["num_bins"] = 0


def _window_output_since_start(data: dict[str, Any]) -> None:
    _workflow(data, "panel_0_xy")["outputs"][1]["windowing"] = "since_start"


def _field_for_outside_the_view(data: dict[str, Any]) -> None:
    _workflow(data, "panel_0_xy")["output_views"][0]["field_for"]["per_update"] = "counts_total"


def _aux_default_not_a_choice(data: dict[str, Any]) -> None:
    _workflow(data, "panel_0_xy")["aux_sources"]["roi_polygon"]["default"] = "roi_circle"


def _topic_breaks_naming_rule(data: dict[str, Any]) -> None:
    data["topics"]["livedata_data"] = "mini_results"


def _grid_names_missing_view(data: dict[str, Any]) -> None:
    layer = data["grid_templates"][0]["cells"][0]["layers"][0]
    layer["data_sources"]["primary"]["view_name"] = "spectrum"


def _grid_cell_outside_grid(data: dict[str, Any]) -> None:
    data["grid_templates"][0]["cells"][0]["geometry"]["row_span"] = 3


def _timeseries_view_wrong_source(data: dict[str, Any]) -> None:
    data["timeseries_views"][0]["source_name"] = "monitor1"


def _observed_unknown_output(data: dict[str, Any]) -> None:
    data["observed_wire_outputs"]["mini/total_counts/1"]["grand_total"] = data[
        "observed_wire_outputs"
    ]["mini/total_counts/1"]["total_counts"]


def _template_ndim_mismatch(data: dict[str, Any]) -> None:
    _workflow(data, "panel_0_xy")["outputs"][0]["template"]["ndim"] = 3


def _overlapping_roi_indices(data: dict[str, Any]) -> None:
    data["roi_geometries"][1]["index_offset"] = 2


def _unsupported_format(data: dict[str, Any]) -> None:
    data["format_version"] = 2
    data["workflows"] = {"restructured": True}


def _inconsistent_group(data: dict[str, Any]) -> None:
    _workflow(data, "panel_0_layers")["group"]["title"] = "Detectors (renamed)"


MALFORMED = {
    "foreign workflow": (
        _foreign_workflow,
        "workflows.dummy/total_counts/1: workflow instrument 'dummy' differs from the "
        "file's instrument 'mini'",
    ),
    "view naming a missing output": (
        _view_naming_missing_output,
        "workflows.mini/panel_0_xy/1: output_views[image].fields: unknown output 'nonexistent'",
    ),
    "duplicate workflow id": (_duplicate_workflow, "duplicate workflow id 'mini/total_counts/1'"),
    "duplicate output": (_duplicate_output, "duplicate output name 'cumulative'"),
    "duplicate view": (
        _duplicate_view,
        "workflows.mini/monitor_histogram/1: output_views: duplicate view name 'histogram'",
    ),
    "unknown source": (
        _unknown_source,
        "workflows.mini/total_counts/1.source_names: unknown source 'panel_9'",
    ),
    "misspelled key": (
        _misspelled_key,
        "workflows.mini/total_counts/1.supports_rest: Extra inputs are not permitted",
    ),
    "missing key": (_missing_key, "workflows.mini/total_counts/1.params: Field required"),
    "default violates schema": (
        _default_violates_schema,
        "params: default does not satisfy json_schema: toa_edges.num_bins: 0 is less than",
    ),
    "windowing contradicts temporality": (
        _window_output_since_start,
        "outputs.current: output 'current': windowing 'since_start' does not match",
    ),
    "field_for outside the view": (
        _field_for_outside_the_view,
        "field_for['per_update'] = 'counts_total' is not one of its fields",
    ),
    "aux default not a choice": (
        _aux_default_not_a_choice,
        "aux_sources.roi_polygon: default 'roi_circle' is not one of choices",
    ),
    "topic naming": (_topic_breaks_naming_rule, "topics.livedata_data: 'mini_results'"),
    "grid names a missing view": (
        _grid_names_missing_view,
        "grid_templates[0]: workflow mini/area_panel_xy/1 has no output view 'spectrum'",
    ),
    "grid cell outside the grid": (
        _grid_cell_outside_grid,
        "grid_templates[0]: grid template 'Detectors': cells[0]",
    ),
    "timeseries view wrong source": (
        _timeseries_view_wrong_source,
        "timeseries_views[0]: workflow mini/timeseries_data/1 has no source 'monitor1'",
    ),
    "observed unknown output": (
        _observed_unknown_output,
        "observed_wire_outputs.mini/total_counts/1: unknown output 'grand_total'",
    ),
    "template ndim": (_template_ndim_mismatch, "template: ndim 3 but 2 dims"),
    "overlapping roi indices": (
        _overlapping_roi_indices,
        "roi_geometries[1]: ROI indices [2, 3] are already used by 'rectangle'",
    ),
    "unsupported format": (
        _unsupported_format,
        "format_version: 2 is not supported (this livedash reads 1)",
    ),
    "inconsistent group": (
        _inconsistent_group,
        "workflows.mini/panel_0_layers/1.group: group 'detector_data' has a different title",
    ),
}


@pytest.mark.parametrize(("mutate", "expected"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_file_is_refused_naming_file_and_field(
    write_instrument: WriteInstrument,
    mini_data: dict[str, Any],
    mutate: Callable[[dict[str, Any]], None],
    expected: str,
) -> None:
    mutate(mini_data)
    path = write_instrument(mini_data)
    with pytest.raises(InstrumentFileError) as caught:
        load_instrument("mini")
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_every_problem_in_a_file_is_reported(
    write_instrument: WriteInstrument, mini_data: dict[str, Any]
) -> None:
    _unknown_source(mini_data)
    _topic_breaks_naming_rule(mini_data)
    write_instrument(mini_data)
    with pytest.raises(InstrumentFileError, match="2 problem") as caught:
        load_instrument("mini")
    assert "unknown source 'panel_9'" in str(caught.value)
    assert "topics.livedata_data" in str(caught.value)


def test_file_of_another_format_reports_only_the_format(
    write_instrument: WriteInstrument, mini_data: dict[str, Any]
) -> None:
    del mini_data["format_version"]
    mini_data["workflows"] = {"restructured": True}
    write_instrument(mini_data)
    with pytest.raises(InstrumentFileError, match="1 problem") as caught:
        load_instrument("mini")
    assert str(caught.value).endswith(
        "format_version: missing is not supported (this livedash reads 1)"
    )


def test_the_unmodified_mini_file_loads(
    write_instrument: WriteInstrument, mini_data: dict[str, Any]
) -> None:
    write_instrument(mini_data)
    assert len(load_instrument("mini").workflows) == 6


def test_minimal_file_needs_only_topics_sources_and_workflows(
    write_instrument: WriteInstrument, mini_data: dict[str, Any]
) -> None:
    required = ("format_version", "instrument", "topics", "sources", "workflows")
    write_instrument({key: mini_data[key] for key in required})
    assert load_instrument("mini").grid_templates == []
