from __future__ import annotations

import pkgutil
import subprocess
import sys

import livedash.plots
import livedash.store


def test_plot_core_and_store_never_import_panel_bokeh_or_holoviews() -> None:
    modules = [
        info.name
        for package in (livedash.plots, livedash.store)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
    ]
    assert "livedash.plots.orchestrator" in modules
    assert "livedash.plots.plotters.image" in modules
    assert "livedash.store.config_store" in modules
    script = "\n".join(
        [
            "import importlib, sys",
            f"for name in {modules!r}:",
            "    importlib.import_module(name)",
            "print(','.join(m for m in ('panel', 'bokeh', 'holoviews') if m in sys.modules))",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""


def test_store_loads_without_scipp() -> None:
    script = "import sys, livedash.store; print('scipp' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"
