"""Test helpers: a real ``livedash serve`` process, and a reader of the status topic.

Used by the worker's integration tests and by the browser tests (tests/e2e/conftest.py
wraps them as fixtures).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from livedash.broker.tansu import free_port
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.errors import DecodeError
from livedash.protocol.status import ServiceState, StatusMessage, decode_status
from tests.helpers import wait_until

START_TIMEOUT_S = 60.0


class ServedWorker:
    """``python -m livedash serve`` (on a free port unless given), its JSON log lines in
    ``log_path``."""

    def __init__(
        self,
        *,
        instrument: str,
        bootstrap: str,
        log_path: Path,
        prefix: str = "/w/0",
        worker_index: int = 0,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.prefix = prefix
        self.log_path = log_path
        argv = [
            sys.executable, "-m", "livedash", "--log-format", "json", "serve",
            "--port", str(self.port),
            "--prefix", prefix,
            "--worker-index", str(worker_index),
            "--instrument", instrument,
            "--kafka-bootstrap", bootstrap,
            *extra_args,
        ]  # fmt: skip
        with log_path.open("wb") as out:
            self.popen = subprocess.Popen(
                argv, env=env or dict(os.environ), stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def page_url(self) -> str:
        return f"{self.base_url}{self.prefix}/"

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request (redirects are not followed): status, headers, body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            body = b"" if method == "POST" else None
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def health(self) -> dict[str, Any]:
        """The health document, whatever the status code."""
        return json.loads(self.request("GET", "/health")[2])

    def wait_healthy(self, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
        def healthy() -> dict[str, Any] | None:
            if self.popen.poll() is not None:
                raise AssertionError(f"serve exited with {self.popen.returncode}:\n{self.log()}")
            try:
                return self.health()
            except (ConnectionError, OSError, ValueError):
                return None

        return wait_until(healthy, timeout_s, interval_s=0.1, message=f"no /health:\n{self.log()}")

    def signal(self, signum: signal.Signals) -> None:
        self.popen.send_signal(signum)

    def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM, then the exit code."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=timeout_s)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def events(self, name: str) -> list[dict[str, Any]]:
        """The JSON log lines whose ``event`` is ``name``."""
        found = []
        for line in self.log().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("event") == name:
                found.append(entry)
        return found


class StatusWatcher:
    """Every status message on ``{instrument}_livedata_heartbeat``, decoded, in order."""

    def __init__(self, settings: KafkaSettings, instrument: str) -> None:
        self._consumer = AssignedConsumer.create(
            settings,
            topics=[f"{instrument}_livedata_heartbeat"],
            group_prefix="test_status_watcher",
            start="beginning",
        )
        self.statuses: list[StatusMessage] = []

    def poll(self) -> list[StatusMessage]:
        for message in self._consumer.poll_batch(max_messages=500, timeout_s=0.05):
            try:
                self.statuses.append(decode_status(message.value))
            except DecodeError:
                continue
        return self.statuses

    def matching(self, predicate: Callable[[StatusMessage], bool]) -> list[StatusMessage]:
        return [status for status in self.poll() if predicate(status)]

    def wait_for(
        self, predicate: Callable[[StatusMessage], bool], timeout_s: float, message: str = ""
    ) -> StatusMessage:
        """The first status matching ``predicate``, waiting up to ``timeout_s``."""
        found = wait_until(lambda: self.matching(predicate), timeout_s, message=message)
        return found[0]

    def close(self) -> None:
        self._consumer.close()


def of_service(service_name: str, worker_id: str | None = None, state: ServiceState | None = None):
    """A predicate on service heartbeats, for :meth:`StatusWatcher.wait_for`."""

    def matches(message: StatusMessage) -> bool:
        status = message.status
        return (
            getattr(status, "service_name", None) == service_name
            and (worker_id is None or status.worker_id == worker_id)
            and (state is None or status.state is state)
        )

    return matches
