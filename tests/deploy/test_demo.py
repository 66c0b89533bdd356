"""The deployment end to end: ``livedash demo`` with supervisord, nginx, 3 workers, the
embedded broker and the fake backend, driven by plain HTTP and a headless chromium.

The tests share one demo (starting one costs several seconds of CPU per worker) and run
in file order; each leaves it as it found it (all workers up and accepting), except the
last one, which stops it with Ctrl-C.
"""

from __future__ import annotations

import gzip
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, WebSocket

from livedash.deploy.render import readable_by_others
from tests.helpers import wait_until

from .deployment import DemoRun, http_get

pytestmark = pytest.mark.integration

LIVE = ".livedash-connection--live"
LOST = ".livedash-connection--lost"
PAGE_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoRun]:
    # Not under pytest's temporary directory, which only its owner may enter: nginx's
    # workers (nobody, when started by root) read the page icon from the run directory.
    base = Path(tempfile.mkdtemp(prefix="livedash-demo-"))
    base.chmod(0o755)
    run = DemoRun(base, workers=3)
    try:
        run.wait_up()
        yield run
    finally:
        run.kill()
        shutil.rmtree(base, ignore_errors=True)


class Tab:
    """A browser tab and the dashboard WebSocket it opened."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.page: Page = browser.new_page()
        self.sockets: list[WebSocket] = []
        self.page.on("websocket", self._on_websocket)
        # Only until the page's HTML arrived: the tabs then load side by side.
        self.page.goto(url, timeout=PAGE_TIMEOUT_MS, wait_until="commit")

    def _on_websocket(self, websocket: WebSocket) -> None:
        # A method, not list.append: Playwright cannot wrap a builtin as a handler.
        self.sockets.append(websocket)

    def wait_live(self) -> None:
        self.page.wait_for_selector(LIVE, timeout=PAGE_TIMEOUT_MS)

    @property
    def worker(self) -> int:
        """The worker index from the tab's address, /w/<i>/."""
        return int(urlparse(self.page.url).path.split("/")[2])

    @property
    def websocket_worker(self) -> int:
        """The worker index from the address of the tab's (first) WebSocket."""
        return int(urlparse(self.sockets[0].url).path.split("/")[2])

    @property
    def connected(self) -> bool:
        open_sockets = [ws for ws in self.sockets if not ws.is_closed()]
        return bool(open_sockets) and self.page.locator(LOST).count() == 0

    def close(self) -> None:
        self.page.close()


def _open_tabs(browser: Browser, urls: list[str]) -> list[Tab]:
    tabs = [Tab(browser, url) for url in urls]
    for tab in tabs:
        tab.wait_live()
    return tabs


def _close(demo: DemoRun, tabs: list[Tab]) -> None:
    """Close the tabs and wait until their sessions are gone (the next test counts)."""
    for tab in tabs:
        tab.close()
    workers = demo.settings.workers
    wait_until(lambda: sum(demo.sessions(workers)) == 0, 60.0, 0.25, message="tabs linger")


def _wait_sessions(demo: DemoRun, expected: list[int], timeout_s: float = 20.0) -> None:
    """Wait until the workers' /health report exactly ``expected`` sessions."""
    seen: list[list[int]] = []

    def matches() -> bool:
        seen.append(demo.sessions(len(expected)))
        return seen[-1] == expected

    try:
        wait_until(matches, timeout_s, 0.25)
    except AssertionError:
        raise AssertionError(f"want sessions {expected}, last seen {seen[-3:]}") from None


def _entry_redirects(demo: DemoRun, count: int) -> Counter[str]:
    spread: Counter[str] = Counter()
    for _ in range(count):
        status, location = http_get(demo.port, "/")
        assert status == 302
        spread[urlparse(location).path] += 1
    return spread


def test_new_tabs_are_spread_evenly_over_the_workers(demo) -> None:
    assert _entry_redirects(demo, 12) == {"/w/0/": 4, "/w/1/": 4, "/w/2/": 4}


def test_each_tab_has_its_page_and_websocket_on_one_worker(demo, browser) -> None:
    assert demo.sessions(3) == [0, 0, 0]
    tabs = _open_tabs(browser, [f"{demo.url}/"] * 6)
    try:
        per_worker = Counter(tab.worker for tab in tabs)
        expected = [per_worker[i] for i in range(3)]
        # A WebSocket that reached another worker than its page would have made that
        # worker build a second session for the same tab: more than 6 in total. (The
        # spread itself is not asserted here: a worker too busy building a page to
        # answer the entry within 10 s is rightly skipped by nginx.)
        _wait_sessions(demo, expected)
        assert sum(expected) == 6
        assert all(tab.websocket_worker == tab.worker for tab in tabs)
    finally:
        _close(demo, tabs)


def _fetch(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        body = response.read()
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, headers, body
    finally:
        connection.close()


def _upstream_of(demo: DemoRun, path: str) -> str:
    """Who answered ``path`` (query strings ignored) according to nginx's access log:
    '-' for nginx itself."""

    def lines() -> list[str]:
        log = demo.log("nginx-access.log").splitlines()
        return [line for line in log if f"GET {path} " in line or f"GET {path}?" in line]

    wait_until(lambda: bool(lines()), 10.0, 0.05, message=f"{path} not in nginx's access log")
    return lines()[-1].split("upstream=", 1)[1].split()[0]


def test_nginx_serves_the_pages_static_files_and_caches_the_hashed_ones(demo, browser) -> None:
    # Where nginx's workers may not read the Python environment, the worker serves them.
    by_nginx = readable_by_others(demo.run_dir / "static" / "bokeh" / "js")
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlparse(request.url).path))
    try:
        page.goto(f"{demo.url}/w/1/", timeout=PAGE_TIMEOUT_MS, wait_until="commit")
        page.wait_for_selector(LIVE, timeout=PAGE_TIMEOUT_MS)
    finally:
        page.close()
        wait_until(lambda: sum(demo.sessions(3)) == 0, 60.0, 0.25, message="the tab lingers")
    static = sorted({path for path in requested if path.startswith("/w/1/static/")})
    assert any(path.endswith("/bokeh.min.js") for path in static)
    assert any(path.endswith("/panel.min.js") for path in static)
    for path in static:
        assert _upstream_of(demo, path) == ("-" if by_nginx else f"127.0.0.1:{demo.base_port + 1}")
    # Versioned URLs are cached for good, the others revalidated on every use.
    bundle = next(path for path in static if path.endswith("/bokeh.min.js"))
    status, headers, _ = _fetch(demo.port, f"{bundle}?v=0123abcd")
    assert (status, headers["cache-control"]) == (200, "max-age=315360000")
    assert headers["content-type"] == "application/javascript"
    assert headers.get("content-encoding") == "gzip"
    status, headers, _ = _fetch(demo.port, bundle)
    assert (status, headers["cache-control"]) == (200, "no-cache")


def test_a_static_file_nginx_does_not_have_is_still_the_workers(demo) -> None:
    missing = "/w/2/static/js/no-such-bundle.js"
    status, _, _ = _fetch(demo.port, missing)
    assert status == 404
    assert _upstream_of(demo, missing) == f"127.0.0.1:{demo.base_port + 2}"
    wait_until(
        lambda: f"GET {missing}" in demo.log("worker-2.log"),
        10.0,
        0.1,
        message="the worker did not log the request",
    )


@pytest.mark.parametrize("path", ["/favicon.ico", "/w/0/favicon.ico", "/w/2/favicon.ico"])
def test_the_page_icon_is_served(demo, path) -> None:
    status, headers, body = _fetch(demo.port, path)
    assert (status, headers["content-type"]) == (200, "image/x-icon")
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_a_killed_worker_is_restarted_and_other_tabs_keep_their_sessions(demo, browser) -> None:
    tabs = _open_tabs(browser, [f"{demo.url}/w/{i}/" for i in (0, 1, 2)])
    try:
        _wait_sessions(demo, [1, 1, 1])
        victim = demo.health(1).document["pid"]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)

        # Its port is closed until the new process has imported Panel: nginx sends a
        # reload of its tab back to the entry point.
        wait_until(lambda: not demo.health(1).reachable, 5.0, 0.05, message="worker 1 alive")
        assert _path(http_get(demo.port, "/w/1/")) == (302, "/")
        assert http_get(demo.port, "/w/1/static/js/x.js")[0] == 502

        def restarted() -> bool:
            info = demo.supervisor().processes()["worker-1"]
            return info["pid"] not in (0, victim) and info["statename"] in ("STARTING", "RUNNING")

        wait_until(restarted, 5.0, 0.05, message="supervisord did not restart worker 1")
        restart_s = time.monotonic() - killed_at
        assert restart_s < 5.0
        wait_until(lambda: demo.health(1).healthy, 60.0, 0.25, message="worker 1 not healthy")
        healthy_s = time.monotonic() - killed_at
        sys.stderr.write(
            f"worker restart: new pid after {restart_s:.2f} s, healthy after {healthy_s:.2f} s\n"
        )

        assert demo.sessions(3) == [1, 0, 1]
        assert tabs[0].connected
        assert tabs[2].connected
        tabs[1].page.wait_for_selector(LOST, timeout=10_000)
    finally:
        _close(demo, tabs)


def test_a_drained_worker_gets_no_new_tabs(demo) -> None:
    drained = demo.livedash("deploy", "drain", "0", "--config-dir", str(demo.run_dir))
    assert drained.returncode == 0, drained.stderr
    try:
        spread = _entry_redirects(demo, 6)
        assert "/w/0/" not in spread
        assert sum(spread.values()) == 6
    finally:
        undrained = demo.livedash("deploy", "undrain", "0", "--config-dir", str(demo.run_dir))
        assert undrained.returncode == 0, undrained.stderr


def test_scaling_up_and_down_keeps_tabs_on_surviving_workers(demo, browser) -> None:
    config_dir = str(demo.run_dir)
    tabs = _open_tabs(browser, [f"{demo.url}/w/{i}/" for i in (0, 1, 2)])
    try:
        _wait_sessions(demo, [1, 1, 1])
        survivors = [demo.health(i).document["pid"] for i in (0, 1)]

        up = demo.livedash("deploy", "scale", "5", "--config-dir", config_dir)
        assert up.returncode == 0, up.stdout + up.stderr
        assert all(h.healthy for h in demo.health_all(5))
        removed = [demo.health(i).document["pid"] for i in (2, 3, 4)]

        down = demo.livedash("deploy", "scale", "2", "--config-dir", config_dir)
        assert down.returncode == 0, down.stdout + down.stderr

        assert [demo.health(i).document["pid"] for i in (0, 1)] == survivors
        assert demo.sessions(2) == [1, 1]
        assert tabs[0].connected
        assert tabs[1].connected
        assert not any(_alive(pid) for pid in removed)
        tabs[2].page.wait_for_selector(LOST, timeout=10_000)
        # A reload of the removed worker's tab starts over; its other requests fail
        # (redirected to the entry, a stylesheet would open a session somewhere).
        assert _path(http_get(demo.port, "/w/2/")) == (302, "/")
        assert http_get(demo.port, "/w/2/static/css/x.css") == (404, "")
        nginx_conf = (demo.run_dir / "nginx.conf").read_text()
        assert nginx_conf.count("max_fails=1") == 2
        assert set(_entry_redirects(demo, 4)) == {"/w/0/", "/w/1/"}
    finally:
        _close(demo, tabs)


def _path(response: tuple[int, str]) -> tuple[int, str]:
    """Status and the path of the Location header (nginx makes redirects absolute)."""
    return response[0], urlparse(response[1]).path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_everything_in_reverse_start_order(demo) -> None:
    pids = demo.program_pids()
    assert len(pids) >= 5

    assert demo.interrupt() == 0

    stopped = [
        line.split("stopped: ")[1].split(" ")[0]
        for line in demo.log("supervisord.log").splitlines()
        if "stopped: " in line
    ]
    # Only the shutdown's lines: everything still running when Ctrl-C came.
    shutdown = stopped[-len(pids) :]
    workers = [i for i, name in enumerate(shutdown) if name.startswith("worker-")]
    assert shutdown[0] == "nginx"
    assert max(workers) < shutdown.index("fake-backend") < shutdown.index("broker")
    assert shutdown[-1] == "broker"
    assert not any(_alive(pid) for pid in pids)
    # Each worker closed cleanly and published its final heartbeat while Kafka was up.
    for name in ("worker-0.log", "worker-1.log"):
        assert "worker_stopped" in demo.log(name)
    assert "kafka_error" not in demo.log("fake-backend.log").split("fake_backend_signal")[-1]


def test_demo_refuses_to_start_when_a_port_is_taken(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "livedash", "demo", "--port", str(port),
             "--run-dir", str(tmp_path / "run")],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    assert result.returncode == 1
    assert f"port {port} for the nginx is taken" in result.stderr
