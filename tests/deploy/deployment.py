"""Test helpers: free ports, and a real ``livedash demo`` (supervisord, nginx, workers)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path

from livedash.broker.tansu import free_port_block
from livedash.deploy.settings import DeploySettings, load_settings
from livedash.deploy.supervisor import Supervisor, SupervisorError
from livedash.deploy.workers import WorkerHealth, fetch_health
from tests.helpers import wait_until

# Importing Panel in several workers at once on a busy 2-core machine takes a while.
UP_TIMEOUT_S = 120.0
_MAX_WORKERS_IN_TESTS = 6


def http_get(port: int, path: str, *, host: str = "127.0.0.1") -> tuple[int, str]:
    """``GET path`` (no redirects followed): status and Location header ('' if none)."""
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


class DemoRun:
    """``livedash demo`` in its own session (like a terminal job) with its own ports."""

    def __init__(self, tmp_path: Path, *, workers: int) -> None:
        block = free_port_block(_MAX_WORKERS_IN_TESTS + 2)
        self.port = block
        self.kafka_port = block + 1
        self.base_port = block + 2
        self.run_dir = tmp_path / "run"
        self.output_path = tmp_path / "demo.out"
        argv = [
            sys.executable, "-m", "livedash", "demo",
            "--workers", str(workers),
            "--port", str(self.port),
            "--kafka-port", str(self.kafka_port),
            "--base-port", str(self.base_port),
            "--run-dir", str(self.run_dir),
        ]  # fmt: skip
        with self.output_path.open("wb") as out:
            self.popen = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def output(self) -> str:
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    @property
    def settings(self) -> DeploySettings:
        return load_settings(self.run_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self, name: str) -> str:
        path = self.run_dir / "log" / name
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def wait_up(self) -> None:
        def up() -> bool:
            if self.popen.poll() is not None:
                raise AssertionError(f"demo exited early:\n{self.output}")
            return "livedash demo is up" in self.output

        wait_until(up, UP_TIMEOUT_S, 0.25, message=f"demo not up:\n{self.output}")
        settings = self.settings
        wait_until(
            lambda: all(h.healthy for h in self.health_all(settings.workers)),
            UP_TIMEOUT_S,
            0.25,
            message="not every worker is healthy",
        )

    def health(self, index: int) -> WorkerHealth:
        return fetch_health(index, self.base_port + index)

    def health_all(self, workers: int) -> list[WorkerHealth]:
        return [self.health(i) for i in range(workers)]

    def sessions(self, workers: int) -> list[int]:
        return [int(h.document.get("sessions", -1)) for h in self.health_all(workers)]

    def supervisor(self) -> Supervisor:
        return Supervisor.for_run_dir(self.run_dir)

    def livedash(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "livedash", *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def interrupt(self) -> int:
        """Ctrl-C as a terminal sends it: SIGINT to the whole process group; exit code."""
        os.killpg(self.popen.pid, signal.SIGINT)
        return self.popen.wait(timeout=120)

    def program_pids(self) -> list[int]:
        try:
            return [p["pid"] for p in self.supervisor().processes().values() if p["pid"]]
        except SupervisorError:
            return []

    def kill(self) -> None:
        """Last-resort cleanup: SIGTERM supervisord (it stops its programs in order); if
        that hangs, SIGKILL it and every program it had started."""
        if self.popen.poll() is not None:
            return
        pids = self.program_pids()
        self.popen.terminate()
        try:
            self.popen.wait(timeout=90)
        except subprocess.TimeoutExpired:
            for pid in pids:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
