#!/usr/bin/env python3
"""Derive a livedash instrument data file from an esslivedata instrument dump.

The dump (e.g. ``../shared/protocol/instrument_dummy.json``) describes what the upstream
dashboard sees after ``get_config(inst)``. This script keeps what livedash's dashboard
and fake backend need, drops provenance and what livedash derives itself, checks that
every dropped derivable field really agrees with what is kept, validates the result with
livedash's own loader, and writes it as stable, pretty-printed JSON. See
``docs/instruments.md`` for the format and for what is dropped and why.

    python scripts/derive_instrument.py                      # dummy, into the package
    python scripts/derive_instrument.py DUMP -o OUT.json
    python scripts/derive_instrument.py --check              # exit 1 if the file is stale

A dump key this script does not know is an error: decide whether to keep it, then
extend the script, rather than lose information silently.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from livedash.instruments import FORMAT_VERSION, InstrumentFileError, read_instrument_file
from livedash.logs import configure_logging

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DUMP = REPO.parent / "shared" / "protocol" / "instrument_dummy.json"
PACKAGE_DATA = REPO / "src" / "livedash" / "instruments" / "data"

# Dump keys, split into what is carried over (possibly reshaped) and what is dropped.
TOP_KEPT = {
    "instrument", "topics", "sources", "detector_names", "monitors", "f144_streams",
    "dim_titles", "roi_geometries", "detector_fakes_pixel_id_range",
    "area_detector_fakes_shape", "backend_detector_numbers", "workflows",
    "timeseries_views", "grid_templates", "observed_wire_outputs",
}  # fmt: skip
TOP_DROPPED = {
    "generated_from", "topics_by_stream_kind", "input_stream_mapping", "device_contract",
    "grid_template_files",
}  # fmt: skip
WORKFLOW_KEPT = {
    "id", "service", "group", "title", "description", "source_names", "aux_sources",
    "reset_on_run_transition", "supports_reset", "params", "outputs", "output_views",
    "device_outputs",
}  # fmt: skip
WORKFLOW_DROPPED = {"id_string", "outputs_model_name", "output_views_declared"}
PARAMS_KEPT = {"model_name", "extra", "json_schema", "default"}
PARAMS_DROPPED = {"default_error", "field_titles", "param_output_titles"}
AUX_KEPT = {"inputs"}
AUX_DROPPED = {"class", "defaults", "rendered_stream_names_example"}
TEMPLATE_KEPT = ("dims", "shape", "unit", "dtype", "ndim", "has_variances", "coords")
TEMPLATE_DROPPED = {"name", "masks"}
OBSERVED_KEPT = ("label", "dims", "shape", "unit", "dtype", "has_errors_variable", "coords")
OBSERVED_DROPPED = {"example_sample", "da00_variables"}
VIEW_KEPT = ("name", "title", "description", "fields", "params", "param_titles", "field_for")
VIEW_OPTIONAL = ("windowing_options",)


class DerivationError(ValueError):
    """The dump holds something this script cannot carry over faithfully."""


def derive(dump: dict[str, Any]) -> dict[str, Any]:
    """The livedash data-file content for one esslivedata instrument dump."""
    _expect_keys(dump, TOP_KEPT, TOP_DROPPED, "<dump>")
    name = dump["instrument"]
    workflows = [_workflow(spec) for spec in dump["workflows"]]
    _check_topics_by_kind(dump)
    _check_device_contract(dump)
    return {
        "format_version": FORMAT_VERSION,
        "instrument": name,
        "topics": dict(dump["topics"]),
        "sources": _sources(dump),
        "dim_titles": dict(dump["dim_titles"]),
        "roi_geometries": [_roi_geometry(geometry) for geometry in dump["roi_geometries"]],
        "detector_fakes_pixel_id_range": dict(dump["detector_fakes_pixel_id_range"]),
        "area_detector_fakes_shape": dict(dump["area_detector_fakes_shape"]),
        "backend_detector_numbers": dict(dump["backend_detector_numbers"]),
        "workflows": workflows,
        "timeseries_views": list(dump["timeseries_views"]),
        "grid_templates": list(dump["grid_templates"]),
        "observed_wire_outputs": _observed(dump["observed_wire_outputs"]),
    }


def _sources(dump: dict[str, Any]) -> dict[str, Any]:
    kinds = dict.fromkeys(dump["detector_names"], "detector")
    kinds.update(dict.fromkeys(dump["monitors"], "monitor"))
    kinds.update(dict.fromkeys(dump["f144_streams"], "log"))
    sources = {}
    for name, info in dump["sources"].items():
        if name not in kinds:
            raise DerivationError(f"sources.{name}: not a detector, monitor or f144 stream")
        log = dump["f144_streams"].get(name)
        sources[name] = {
            "title": info["title"],
            "description": info["description"],
            "kind": kinds[name],
            "unit": log["units"] if log else None,
        }
    if missing := set(kinds) - set(sources):
        raise DerivationError(f"sources lacks {sorted(missing)}")
    return sources


def _roi_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    offset, count = geometry["index_offset"], geometry["num_rois"]
    if geometry["index_range"] != list(range(offset, offset + count)):
        raise DerivationError(f"roi_geometries: index_range of {geometry} is not derivable")
    return {key: geometry[key] for key in ("geometry_type", "num_rois", "index_offset")} | {
        "readback_key": geometry["readback_key"]
    }


def _workflow(spec: dict[str, Any]) -> dict[str, Any]:
    workflow_id = "{instrument}/{name}/{version}".format(**spec["id"])
    where = f"workflows.{workflow_id}"
    _expect_keys(spec, WORKFLOW_KEPT, WORKFLOW_DROPPED, where)
    if spec["id_string"] != workflow_id:
        raise DerivationError(f"{where}: id_string {spec['id_string']!r} disagrees with id")
    return {
        "id": workflow_id,
        "service": spec["service"],
        "group": dict(spec["group"]),
        "title": spec["title"],
        "description": spec["description"],
        "source_names": list(spec["source_names"]),
        "aux_sources": _aux_sources(spec["aux_sources"], where),
        "reset_on_run_transition": spec["reset_on_run_transition"],
        "supports_reset": spec["supports_reset"],
        "params": _params(spec, where),
        "outputs": [_output(output, where) for output in spec["outputs"]],
        "output_views": [_view(view, where) for view in spec["output_views"]],
        "device_outputs": dict(spec["device_outputs"]),
    }


def _aux_sources(aux: dict[str, Any] | None, where: str) -> dict[str, Any] | None:
    if aux is None:
        return None
    _expect_keys(aux, AUX_KEPT, AUX_DROPPED, f"{where}.aux_sources")
    inputs = {role: dict(value) for role, value in aux["inputs"].items()}
    if aux["defaults"] != {role: value["default"] for role, value in inputs.items()}:
        raise DerivationError(f"{where}.aux_sources.defaults disagree with the inputs")
    return inputs


def _params(spec: dict[str, Any], where: str) -> dict[str, Any]:
    params = spec["params"]
    _expect_keys(params, PARAMS_KEPT, PARAMS_DROPPED, f"{where}.params")
    if params["default_error"] is not None:
        raise DerivationError(f"{where}.params: upstream could not build a default payload")
    properties = params["json_schema"].get("properties", {})
    titles = {name: prop.get("title", name) for name, prop in properties.items()}
    if params["field_titles"] != titles:
        raise DerivationError(f"{where}.params.field_titles disagree with json_schema")
    view_titles: dict[str, list[str]] = {}
    for view in spec["output_views"]:
        for param in view["params"]:
            if param in properties:
                view_titles.setdefault(param, []).append(view["title"])
    if params["param_output_titles"] != view_titles:
        raise DerivationError(f"{where}.params.param_output_titles disagree with output_views")
    # pydantic's default for an unset model_config['extra'] is 'ignore'.
    extra = params["extra"] if params["extra"] is not None else "ignore"
    return {
        "model_name": params["model_name"],
        "extra": extra,
        "json_schema": params["json_schema"],
        "default": params["default"],
    }


def _output(output: dict[str, Any], where: str) -> dict[str, Any]:
    template = output["template"]
    place = f"{where}.outputs.{output['name']}.template"
    _expect_keys(template, TEMPLATE_KEPT, TEMPLATE_DROPPED, place)
    if template["name"] != "" or template["masks"] != {}:
        raise DerivationError(f"{place}: a non-empty name or masks cannot be carried over")
    return {
        "name": output["name"],
        "title": output["title"],
        "description": output["description"],
        "temporality": output["temporality"],
        "windowing": output["windowing"],
        "template": {key: template[key] for key in TEMPLATE_KEPT},
    }


def _view(view: dict[str, Any], where: str) -> dict[str, Any]:
    _expect_keys(view, VIEW_KEPT, set(), f"{where}.output_views", optional=VIEW_OPTIONAL)
    return {key: view.get(key) for key in VIEW_KEPT + VIEW_OPTIONAL}


def _observed(observed: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for workflow_id, outputs in observed["by_workflow"].items():
        result[workflow_id] = {}
        for name, output in outputs.items():
            _expect_keys(output, OBSERVED_KEPT, OBSERVED_DROPPED, f"observed.{workflow_id}")
            result[workflow_id][name] = {key: output[key] for key in OBSERVED_KEPT}
    return result


def _check_topics_by_kind(dump: dict[str, Any]) -> None:
    declared = set(dump["topics"].values())
    for kind, topic in dump["topics_by_stream_kind"].items():
        if topic is not None and topic not in declared:
            raise DerivationError(f"topics_by_stream_kind.{kind}: {topic!r} is not in topics")


def _check_device_contract(dump: dict[str, Any]) -> None:
    expanded = [
        {
            "device_name": template.format(source_name=source),
            "workflow_id": spec["id_string"],
            "source_name": source,
            "output_name": output,
        }
        for spec in dump["workflows"]
        for output, template in spec["device_outputs"].items()
        for source in spec["source_names"]
    ]
    key = sorted(dump["device_contract"]["devices"], key=json.dumps)
    if key != sorted(expanded, key=json.dumps):
        raise DerivationError("device_contract is not derivable from the device_outputs")


def _expect_keys(
    obj: dict[str, Any],
    kept: Collection[str],
    dropped: Collection[str],
    where: str,
    *,
    optional: Collection[str] = (),
) -> None:
    unknown = set(obj) - set(kept) - set(dropped) - set(optional)
    if unknown:
        raise DerivationError(f"{where}: unknown keys {sorted(unknown)}; keep or drop them")
    missing = set(kept) - set(obj)
    if missing:
        raise DerivationError(f"{where}: missing keys {sorted(missing)}")


def render(data: dict[str, Any]) -> str:
    """The file text: two-space indent, real Unicode (μs, Å), trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def derive_text(dump_path: Path) -> str:
    """Derive, validate with livedash's loader, and return the file text."""
    dump = json.loads(dump_path.read_text(encoding="utf-8"))
    data = derive(dump)
    text = render(data)
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / f"{data['instrument']}.json"
        candidate.write_text(text, encoding="utf-8")
        instrument = read_instrument_file(candidate)
    # The loader's dump is the canonical form: writing it makes load -> dump a fixpoint.
    return render(instrument.model_dump(mode="json", by_alias=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", nargs="?", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("-o", "--output", type=Path, help="default: package data/<inst>.json")
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    try:
        text = derive_text(args.dump)
    except (DerivationError, InstrumentFileError) as err:
        sys.stderr.write(f"{args.dump}: cannot derive: {err}\n")
        return 2
    name = json.loads(text)["instrument"]
    output = args.output or PACKAGE_DATA / f"{name}.json"
    if args.check:
        current = output.read_text(encoding="utf-8") if output.is_file() else None
        if current != text:
            sys.stderr.write(f"{output} is stale: re-run {Path(__file__).name}\n")
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    sys.stderr.write(f"wrote {output} ({len(text.encode())} bytes)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
