"""Checking and reloading the deployment's nginx.

nginx runs with the run directory as its prefix (``-p``), so the relative paths in
nginx.conf (pid file, logs, temporary files) land there. A reload is asynchronous: nginx's
master re-reads the file and starts new worker processes, and the old ones finish their
open connections (the WebSockets of open tabs) with the old configuration. The
``/_livedash/nginx`` location reports which configuration answers new connections, so
:func:`wait_applied` can tell when the reload took effect.
"""

from __future__ import annotations

import http.client
import json
import shlex
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from .render import render, write_atomically
from .settings import NGINX_FILE, DeploySettings
from .supervisor import Supervisor

_CHECK_TIMEOUT_S = 30.0


class NginxError(RuntimeError):
    """nginx refused a configuration or did not apply it; the message says why."""


def nginx_command(
    settings: DeploySettings, config_dir: Path, *args: str, config: Path | None = None
) -> list[str]:
    """``nginx -p <run dir>/ -c <config> -e <error log> ARGS`` for this deployment.

    Every path is absolute: nginx reads a relative ``-c`` against its prefix, not
    against the directory it was started from.
    """
    run_dir = settings.run_path(config_dir)
    return [
        *shlex.split(settings.nginx_command),
        "-p", f"{run_dir}/",
        "-c", str((config or config_dir / NGINX_FILE).absolute()),
        "-e", str(run_dir / "log" / "nginx-error.log"),
        *args,
    ]  # fmt: skip


def check_config(settings: DeploySettings, config_dir: Path, config: Path | None = None) -> None:
    """Run ``nginx -t`` on ``config`` (default: the deployment's nginx.conf)."""
    command = nginx_command(settings, config_dir, "-t", "-q", config=config)
    try:
        result = subprocess.run(  # noqa: S603 -- our own argument list
            command, capture_output=True, text=True, timeout=_CHECK_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NginxError(f"cannot run {command[0]}: {exc}") from exc
    if result.returncode != 0:
        raise NginxError(f"nginx rejects {config or NGINX_FILE}: {result.stderr.strip()}")


def reload(settings: DeploySettings, config_dir: Path, supervisor: Supervisor) -> None:
    """Ask the running nginx to re-read its configuration file (SIGHUP)."""
    if settings.manages_nginx:
        supervisor.signal("nginx", "HUP")
        return
    command = nginx_command(settings, config_dir, "-s", "reload")
    result = subprocess.run(  # noqa: S603 -- our own argument list
        command, capture_output=True, text=True, timeout=_CHECK_TIMEOUT_S, check=False
    )
    if result.returncode != 0:
        raise NginxError(f"nginx -s reload failed: {result.stderr.strip()}")


def running_config(settings: DeploySettings, *, timeout_s: float = 2.0) -> dict[str, object] | None:
    """What ``/_livedash/nginx`` reports right now, or None if nginx does not answer."""
    connection = http.client.HTTPConnection(
        settings.local_nginx_host, settings.port, timeout=timeout_s
    )
    try:
        connection.request("GET", "/_livedash/nginx")
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            return None
        document = json.loads(body)
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()
    return document if isinstance(document, dict) else None


def wait_applied(
    settings: DeploySettings,
    *,
    timeout_s: float = 30.0,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> None:
    """Wait until nginx answers new connections with the configuration of ``settings``."""
    expected = settings.config_id()
    deadline = clock() + timeout_s
    while True:
        current = running_config(settings)
        if current is not None and current.get("config_id") == expected:
            return
        if clock() >= deadline:
            raise NginxError(
                f"nginx did not apply configuration {expected} within {timeout_s:g} s "
                f"(it reports {current}); see {settings.run_dir}/log/nginx-error.log"
            )
        pause(0.2)


class Nginx:
    """This deployment's nginx, as ``livedash deploy scale`` drives it."""

    def __init__(self, *, config_dir: Path, supervisor: Supervisor) -> None:
        self._config_dir = config_dir
        self._supervisor = supervisor

    def check(self, settings: DeploySettings) -> None:
        """``nginx -t`` on the configuration for ``settings``, before it replaces the file."""
        candidate = self._config_dir / f".{NGINX_FILE}.candidate"
        write_atomically(candidate, render(settings).nginx)
        try:
            check_config(settings, self._config_dir, config=candidate)
        finally:
            candidate.unlink(missing_ok=True)

    def reload(self, settings: DeploySettings) -> None:
        reload(settings, self._config_dir, self._supervisor)

    def wait_applied(self, settings: DeploySettings, *, timeout_s: float) -> None:
        wait_applied(settings, timeout_s=timeout_s)
