"""The fake backend sits beside the dashboard, never on top of it."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("panel", "bokeh", "holoviews", "livedash.session", "livedash.ui", "livedash.plots")

_PROBE = """
import sys
import livedash.backend.command, livedash.backend.service
forbidden = {forbidden!r}
print(",".join(sorted(
    name for name in sys.modules
    if any(name == f or name.startswith(f + ".") for f in forbidden)
)))
"""


def imported_forbidden_modules(forbidden: tuple[str, ...]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(forbidden=forbidden)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_backend_imports_no_dashboard_or_ui_module():
    assert imported_forbidden_modules(FORBIDDEN) == ""


def test_the_probe_sees_what_the_backend_does_import():
    assert "scipp" in imported_forbidden_modules(("scipp",)).split(",")
