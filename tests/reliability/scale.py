"""The two sizes of every reliability suite: a short one for CI and a long one on demand.

Suites are parametrised with :func:`sizes`: the ``short`` variant runs in the default
run (``-m "not slow"``), the ``long`` one only with ``scripts/test -m slow
tests/reliability``.
"""

from __future__ import annotations

from typing import Any

import pytest


def sizes(short: Any, long: Any) -> list[Any]:
    """``[short, long]`` as pytest params, the long one marked ``slow``."""
    return [
        pytest.param(short, id="short"),
        pytest.param(long, id="long", marks=pytest.mark.slow),
    ]
