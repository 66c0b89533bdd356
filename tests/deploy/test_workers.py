"""The worker client (health, drain) against a small fake worker on a real socket."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from livedash.broker.tansu import free_port
from livedash.deploy.workers import WorkerError, fetch_health, set_draining, wait_healthy


class FakeWorker(BaseHTTPRequestHandler):
    """Answers like ``livedash serve``: /health (503 while draining) and /admin/*."""

    draining = False
    refuse_admin = False
    port = 0

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        cls = type(self)
        status = "draining" if cls.draining else "ok"
        self._reply(503 if cls.draining else 200, {"status": status, "sessions": 2, "pid": 7})

    def do_POST(self) -> None:
        cls = type(self)
        if cls.refuse_admin:
            self._reply(403, {"error": "loopback clients only"})
            return
        wanted = self.path == "/admin/drain"
        changed, cls.draining = cls.draining != wanted, wanted
        self._reply(200, {"draining": wanted, "changed": changed})


@pytest.fixture
def worker() -> Iterator[type[FakeWorker]]:
    """A fake worker on a free port; its handler class (own flags) has ``port`` set."""
    handler = type("Worker", (FakeWorker,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_health_of_an_accepting_worker(worker) -> None:
    health = fetch_health(0, worker.port)
    assert health.healthy
    assert health.document["sessions"] == 2


def test_a_draining_worker_answers_but_is_not_healthy(worker) -> None:
    set_draining(0, worker.port, True)
    health = fetch_health(0, worker.port)
    assert health.reachable
    assert not health.healthy
    assert health.document["status"] == "draining"


def test_drain_reports_whether_it_changed_anything(worker) -> None:
    assert set_draining(0, worker.port, True) is True
    assert set_draining(0, worker.port, True) is False
    assert set_draining(0, worker.port, False) is True


def test_a_dead_worker_is_unreachable_not_an_exception() -> None:
    health = fetch_health(3, free_port())
    assert not health.reachable
    assert not health.healthy


def test_draining_a_dead_worker_names_it() -> None:
    port = free_port()
    with pytest.raises(WorkerError, match=f"worker 3 \\(127.0.0.1:{port}\\)"):
        set_draining(3, port, True)


def test_a_refused_drain_is_an_error(worker) -> None:
    worker.refuse_admin = True
    with pytest.raises(WorkerError, match="HTTP 403"):
        set_draining(0, worker.port, True)


def test_waiting_for_health_names_the_workers_still_down(worker) -> None:
    dead = free_port()
    now = [0.0]

    def pause(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(WorkerError, match=f"worker 1 \\(port {dead}\\)") as caught:
        wait_healthy(
            [(0, worker.port), (1, dead)], timeout_s=2.0, clock=lambda: now[0], pause=pause
        )
    assert f"port {worker.port}" not in str(caught.value)
