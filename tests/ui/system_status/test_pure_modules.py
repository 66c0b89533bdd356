"""The pure helpers of the views stay free of Panel, Bokeh and HoloViews."""

from __future__ import annotations

import ast
import importlib.util

import pytest

PURE = [
    "livedash.ui.forms.schema",
    "livedash.ui.forms.paths",
    "livedash.ui.system_status.formatting",
    "livedash.ui.system_status.rows",
    "livedash.ui.system_status.tables",
    "livedash.ui.workflows.status",
]
GUI = ("panel", "bokeh", "holoviews")


def imported_names(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE)
def test_a_pure_helper_module_imports_no_gui_library(module: str) -> None:
    gui = {name for name in imported_names(module) if name.split(".")[0] in GUI}
    assert gui == set()
