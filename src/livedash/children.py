"""How livedash starts the child processes it owns (the broker, the demo's services).

A child gets its own session, so a terminal's Ctrl-C (sent to the whole foreground
process group) reaches only the parent, which then stops its children in order: the
services first, so they can still publish their final heartbeats, the broker last. On
Linux the child is also told to receive SIGTERM when its parent dies, so a parent killed
with SIGKILL leaves no orphan behind. That signal follows the *thread* that started the
child, so start children from a long-lived thread (the main thread in practice).
"""

from __future__ import annotations

import ctypes
import signal
import sys
from typing import Any

_PR_SET_PDEATHSIG = 1


def _terminate_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


def owned_child_kwargs() -> dict[str, Any]:
    """Keyword arguments for :class:`subprocess.Popen` of a child this process owns."""
    kwargs: dict[str, Any] = {"start_new_session": True}
    if sys.platform.startswith("linux"):
        kwargs["preexec_fn"] = _terminate_with_parent
    return kwargs
