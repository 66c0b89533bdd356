"""The worker's HTTP endpoints: health JSON and status codes, entry redirect, drain."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
from collections.abc import Iterator

import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

from livedash.worker.health import health_report, is_local_request, root_handlers
from livedash.worker.metrics import ProcessSample
from livedash.worker.runtime import WorkerRuntime

SAMPLE = ProcessSample(rss_bytes=123_456_789, cpu_percent=12.5, threads=9, python_threads=3)


class FixedMetrics:
    def current(self) -> ProcessSample:
        return SAMPLE


class Server:
    """The root handlers on a real tornado HTTP server in a background thread."""

    def __init__(self, runtime: WorkerRuntime) -> None:
        self.runtime = runtime
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("test HTTP server did not start")

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = tornado.web.Application(root_handlers(self.runtime, FixedMetrics()))
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        self._ready.set()
        self._loop.run_forever()
        server.stop()
        self._loop.run_until_complete(server.close_all_connections())
        self._loop.close()

    def request(self, method: str, path: str, headers: dict[str, str] | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=b"" if method == "POST" else None,
                               headers=headers or {})  # fmt: skip
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def runtime() -> WorkerRuntime:
    return WorkerRuntime(worker_index=2, port=5011, prefix="/w/2")


@pytest.fixture
def server(runtime) -> Iterator[Server]:
    server = Server(runtime)
    yield server
    server.stop()


def test_health_report_has_every_field_of_the_contract(runtime):
    runtime.registry.register("s1", object())
    code, body = health_report(runtime, SAMPLE)
    assert code == 200
    assert body["status"] == "ok"
    assert {
        key: body[key]
        for key in ("worker_id", "worker_index", "port", "prefix", "sessions", "draining")
    } == {
        "worker_id": runtime.worker_id,
        "worker_index": 2,
        "port": 5011,
        "prefix": "/w/2",
        "sessions": 1,
        "draining": False,
    }
    assert (body["rss_bytes"], body["cpu_percent"], body["threads"]) == (123_456_789, 12.5, 9)
    assert body["pid"] > 0
    assert body["uptime_s"] >= 0


def test_health_is_503_and_draining_while_draining(runtime):
    runtime.set_draining(True)
    code, body = health_report(runtime, SAMPLE)
    assert (code, body["status"], body["draining"]) == (503, "draining", True)


def test_health_is_503_while_stopping(runtime):
    runtime.begin_stopping()
    code, body = health_report(runtime, SAMPLE)
    assert (code, body["stopping"]) == (503, True)


@pytest.mark.parametrize("path", ["/health", "/w/2/health"])
def test_health_is_served_at_the_root_and_under_the_prefix(server, path):
    status, headers, body = server.request("GET", path)
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(body)["worker_index"] == 2


def test_the_entry_redirects_to_the_prefix_keeping_the_query(server):
    status, headers, _ = server.request("GET", "/?instrument=dummy&x=1")
    assert status == 302
    assert headers["Location"] == "/w/2/?instrument=dummy&x=1"


def test_the_entry_is_503_while_draining(server, runtime):
    runtime.set_draining(True)
    status, headers, body = server.request("GET", "/")
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert b"not accepting" in body


def test_drain_and_undrain_from_loopback(server, runtime):
    status, _, body = server.request("POST", "/admin/drain")
    assert (status, json.loads(body)) == (200, {"draining": True, "changed": True})
    assert server.request("GET", "/health")[0] == 503
    status, _, body = server.request("POST", "/admin/undrain")
    assert (status, json.loads(body)["draining"]) == (200, False)
    assert runtime.accepting


def test_a_drain_forwarded_by_a_proxy_is_refused(server, runtime):
    status, _, _ = server.request("POST", "/admin/drain", {"X-Forwarded-For": "198.51.100.4"})
    assert status == 403
    assert not runtime.draining


def test_drain_does_not_answer_get(server, runtime):
    assert server.request("GET", "/admin/drain")[0] == 405
    assert not runtime.draining


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.2", "::1"])
def test_loopback_peers_without_proxy_headers_are_local(ip):
    assert is_local_request(ip, {"Host": "localhost"})


@pytest.mark.parametrize("ip", ["10.0.0.5", "192.0.2.1", "2001:db8::1", "", None, "not-an-ip"])
def test_other_peers_are_not_local(ip):
    assert not is_local_request(ip, {})


@pytest.mark.parametrize("header", ["X-Forwarded-For", "x-real-ip", "Forwarded"])
def test_proxied_loopback_requests_are_not_local(header):
    assert not is_local_request("127.0.0.1", {header: "198.51.100.4"})


def test_without_a_prefix_the_root_is_left_to_the_dashboard():
    runtime = WorkerRuntime(worker_index=0, port=5009)
    paths = [route[0] for route in root_handlers(runtime, FixedMetrics())]
    assert paths == ["/health", "/admin/drain", "/admin/undrain"]
