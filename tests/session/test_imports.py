from __future__ import annotations

import pkgutil
import subprocess
import sys

import livedash.session


def test_session_modules_never_import_panel_bokeh_or_holoviews() -> None:
    modules = [
        f"livedash.session.{info.name}" for info in pkgutil.iter_modules(livedash.session.__path__)
    ]
    assert "livedash.session.stack" in modules
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
