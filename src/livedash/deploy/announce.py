"""Telling the demo user when the dashboard is up.

``livedash demo`` replaces itself with supervisord, so the message comes from a small
detached process started just before: it waits until nginx hands out a worker, the
first worker is healthy and (in the demo) the fake backend counts as started in
supervisord (5 s up, its command consumer assigned, so a Start pressed now is heard),
prints the URL, and exits. It is detached with a double fork, so
supervisord never sees it as a child, and it leaves as soon as supervisord is gone.
"""

from __future__ import annotations

import http.client
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .settings import DeploySettings
from .supervisor import Supervisor, SupervisorError
from .workers import fetch_health

_POLL_S = 0.5


def entry_redirects(settings: DeploySettings) -> bool:
    """Whether ``GET /`` through nginx answers with a redirect to a worker prefix."""
    connection = http.client.HTTPConnection(settings.local_nginx_host, settings.port, timeout=2)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        response.read()
        return response.status == 302 and "/w/" in (response.getheader("Location") or "")
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def backend_started(settings: DeploySettings) -> bool:
    """Whether supervisord counts the fake backend as started (RUNNING)."""
    try:
        processes = Supervisor.for_run_dir(Path(settings.run_dir)).processes()
    except SupervisorError:
        return False
    return processes.get("fake-backend", {}).get("statename") == "RUNNING"


def dashboard_up(settings: DeploySettings) -> bool:
    return (
        fetch_health(0, settings.worker_port(0)).healthy
        and entry_redirects(settings)
        and (not settings.with_demo_services or backend_started(settings))
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch(
    settings: DeploySettings,
    *,
    supervisord_pid: int,
    timeout_s: float,
    write: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> bool:
    """Poll until the dashboard is up (write the URL, True), or give up (False)."""
    deadline = clock() + timeout_s
    while _alive(supervisord_pid):
        if dashboard_up(settings):
            write(
                f"\nlivedash demo is up: open http://{settings.public_origin}/\n"
                f"  workers: livedash deploy status --config-dir {settings.run_dir}\n"
                f"  logs:    {settings.run_dir}/log/\n"
                "Press Ctrl-C to stop everything.\n\n"
            )
            return True
        if clock() >= deadline:
            write(
                f"\nlivedash demo: not up after {timeout_s:g} s; "
                f"see the logs in {settings.run_dir}/log/\n"
            )
            return False
        pause(_POLL_S)
    return False


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def spawn_detached(settings: DeploySettings, *, timeout_s: float) -> None:
    """Start :func:`watch` in a detached grandchild that watches this process's pid.

    Call it right before this process execs supervisord: the pid stays the same.
    """
    watched = os.getpid()
    child = os.fork()
    if child:
        os.waitpid(child, 0)
        return
    try:
        if os.fork() == 0:
            # The terminal's Ctrl-C reaches this process too: end quietly, no traceback.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                watch(settings, supervisord_pid=watched, timeout_s=timeout_s, write=_write)
            finally:
                os._exit(0)
    finally:
        os._exit(0)
