"""Where the reliability suites put the numbers they measure.

Every measurement goes to stderr (shown with ``-s``, or with the output of a failing
test) and, when ``LIVEDASH_RELIABILITY_REPORT`` names a file, is appended to it as one
JSON line, so a run can be turned into the tables of docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

REPORT_ENV = "LIVEDASH_RELIABILITY_REPORT"


def report(suite: str, **measured: Any) -> None:
    """Record what ``suite`` measured (numbers, short lists, texts)."""
    line = json.dumps({"suite": suite, "at": round(time.time(), 1), **measured}, default=str)
    sys.stderr.write(f"[reliability] {line}\n")
    path = os.environ.get(REPORT_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
