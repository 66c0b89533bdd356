"""Page and process helpers of the browser acceptance suite (tests/e2e/test_*.py).

- :class:`LiveStack`: fresh topics, a fake backend subprocess and a ``livedash serve``
  worker for one test module (module-scoped fixtures share one per module);
- page helpers: :func:`open_dashboard`, :func:`click_start`, :func:`badge_text`,
  :func:`toasts`, :func:`short_session_id`, :func:`connection_text`;
- worker measurements: :func:`broker_connections`, :func:`threads`, :func:`rss_bytes`;
- status predicates: :func:`session_heartbeat`, :func:`running_sessions`;
- :func:`hold`: keep checking a condition for a while (a deadline, never a sleep).

Panel renders every component in its own shadow root; Playwright's CSS locators pierce
open shadow roots, so the selectors below name the classes the app sets
(``ld-workflow-card``, ``ld-workflow-<name>``, ``ld-card-title``, ``ld-badge``,
``livedash-connection``, ``livedash-header``). Toasts (notyf) live in the light DOM; an
init script records every toast a page ever showed, so a toast that vanished before the
test looked is still seen, and "no toast" means none was ever added.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
import structlog
from playwright.sync_api import BrowserContext, Page

from livedash.instruments import loader
from livedash.kafka.admin import delete_topics, ensure_topics
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.status import ServiceState, StatusMessage
from livedash.protocol.topics import livedata_topic_specs
from tests.helpers import wait_until
from tests.worker.process import ServedWorker, StatusWatcher

logger = structlog.get_logger(__name__)

# Deadlines of waits the issue puts no number on. Generous: the test machine is shared
# with other browser suites and was seen taking 25 s to render a page and over 60 s to
# start a worker.
GENEROUS_S = 60.0
START_TIMEOUT_S = 180.0
RENDER_TIMEOUT_S = 90.0
SESSION_SERVICE = "dashboard_session"

# Records every notyf toast added to the page: [{level, text}], oldest first.
_TOAST_RECORDER = """
(() => {
  window.__ldToasts = []
  const record = (node) => {
    if (!(node instanceof Element)) { return }
    const found = node.matches(".notyf__toast") ? [node] : node.querySelectorAll(".notyf__toast")
    for (const toast of found) {
      const level = (toast.className.match(/notyf__toast--(success|error|warning|info)/) || [])[1]
      window.__ldToasts.push({level: level || "other", element: toast})
    }
  }
  new MutationObserver((mutations) => {
    for (const mutation of mutations) { mutation.addedNodes.forEach(record) }
  }).observe(document, {childList: true, subtree: true})
})()
"""


# --- the system under test ------------------------------------------------------------


def write_instrument(directory: Path, name: str) -> dict[str, str]:
    """A copy of the packaged dummy instrument called ``name``; the env that loads it."""
    packaged = Path(loader.__file__).parent / "data" / "dummy.json"
    text = packaged.read_text(encoding="utf-8").replace("dummy", name)
    (directory / f"{name}.json").write_text(text, encoding="utf-8")
    return {**os.environ, loader.INSTRUMENT_PATH_ENV: str(directory)}


class LiveStack:
    """Fresh instrument topics, ``livedash fake-backend`` and one ``livedash serve``.

    Everything started is stopped by :meth:`close` (also when starting fails half-way).
    """

    def __init__(
        self, settings: KafkaSettings, directory: Path, *, serve_args: tuple[str, ...] = ()
    ) -> None:
        self.settings = settings
        self.instrument = f"t{uuid.uuid4().hex[:8]}"
        self.backend: subprocess.Popen | None = None
        self.worker: ServedWorker | None = None
        self.status: StatusWatcher | None = None
        ensure_topics(settings, livedata_topic_specs(self.instrument), timeout_s=10.0)
        try:
            env = write_instrument(directory, self.instrument)
            self.backend_log = directory / "fake-backend.log"
            with self.backend_log.open("wb") as out:
                self.backend = subprocess.Popen(
                    [
                        sys.executable, "-m", "livedash", "fake-backend",
                        "--instrument", self.instrument,
                        "--kafka-bootstrap", settings.bootstrap,
                    ],
                    env=env, stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
            self.worker = ServedWorker(
                instrument=self.instrument,
                bootstrap=settings.bootstrap,
                log_path=directory / "serve.log",
                extra_args=serve_args,
                env=env,
            )
            self.worker.wait_healthy(timeout_s=START_TIMEOUT_S)
            self.worker_id: str = self.worker.health()["worker_id"]
            self.status = StatusWatcher(settings, self.instrument)
            # The backend heartbeats once its consumer is assigned: commands sent before
            # that would be lost (it reads the commands topic from its end).
            self.status.wait_for(
                lambda m: (
                    not getattr(m.status, "service_name", "dashboard").startswith("dashboard")
                ),
                START_TIMEOUT_S,
                message=f"the fake backend never sent a heartbeat (log: {self.backend_log})",
            )
        except BaseException:
            self.close()
            raise

    @property
    def bootstrap_port(self) -> int:
        return int(self.settings.bootstrap.rsplit(":", 1)[1])

    def topic(self, kind: str) -> str:
        return f"{self.instrument}_livedata_{kind}"

    def broker_connections(self) -> int:
        return broker_connections(self.worker.popen.pid, self.bootstrap_port)

    def sessions(self) -> int:
        return self.worker.health()["sessions"]

    def wait_sessions(self, count: int, timeout_s: float = GENEROUS_S) -> None:
        wait_until(
            lambda: self.sessions() == count,
            timeout_s,
            interval_s=0.1,
            message=f"/health sessions did not become {count} (is {self.sessions()})",
        )

    def close(self) -> None:
        if self.worker is not None:
            self.worker.kill()
        if self.backend is not None and self.backend.poll() is None:
            self.backend.kill()
            self.backend.wait(timeout=10)
        if self.status is not None:
            self.status.close()
        specs = livedata_topic_specs(self.instrument)
        delete_topics(self.settings, [spec.name for spec in specs], timeout_s=10.0)


# --- worker measurements --------------------------------------------------------------


def broker_connections(pid: int, broker_port: int) -> int:
    """ESTABLISHED TCP connections from process ``pid`` to the broker's port."""
    return sum(
        1
        for conn in psutil.Process(pid).net_connections(kind="tcp")
        if conn.status == psutil.CONN_ESTABLISHED and conn.raddr and conn.raddr.port == broker_port
    )


def threads(worker: ServedWorker) -> int:
    """The worker's OS thread count, as its /health reports it."""
    return worker.health()["threads"]


def rss_bytes(worker: ServedWorker) -> int:
    return worker.health()["rss_bytes"]


def settled(measure: Callable[[], int], expected: int, timeout_s: float, what: str) -> int:
    """Wait until ``measure()`` equals ``expected``; the last value in the message if not."""
    seen: list[int] = []

    def equal() -> bool:
        seen.append(measure())
        return seen[-1] == expected

    try:
        wait_until(equal, timeout_s, interval_s=0.1)
    except AssertionError:
        raise AssertionError(f"{what}: expected {expected}, last seen {seen[-1:]}") from None
    return expected


# --- status predicates ----------------------------------------------------------------


def session_heartbeat(
    worker_id: str,
    *,
    session_prefix: str = "",
    state: ServiceState | None = None,
    where: Callable[[StatusMessage], bool] | None = None,
) -> Callable[[StatusMessage], bool]:
    """Matches heartbeats of sessions hosted by ``worker_id`` (and the given filters)."""

    def matches(message: StatusMessage) -> bool:
        status = message.status
        return (
            getattr(status, "service_name", None) == SESSION_SERVICE
            and (status.dashboard or {}).get("worker_id") == worker_id
            and status.worker_id.startswith(session_prefix)
            and (state is None or status.state is state)
            and (where is None or where(message))
        )

    return matches


def session_id_of(watcher: StatusWatcher, worker_id: str, prefix: str, timeout_s: float) -> str:
    """The full id of the worker's session whose id starts with ``prefix`` (page header)."""
    found = watcher.wait_for(
        session_heartbeat(worker_id, session_prefix=prefix, state=ServiceState.RUNNING),
        timeout_s,
        message=f"no running heartbeat of session {prefix}",
    )
    return found.status.worker_id


def running_sessions(watcher: StatusWatcher, worker_id: str) -> set[str]:
    """Ids of the worker's sessions that sent a running heartbeat so far."""
    predicate = session_heartbeat(worker_id, state=ServiceState.RUNNING)
    return {message.status.worker_id for message in watcher.matching(predicate)}


def stopped(watcher: StatusWatcher, session_id: str) -> bool:
    return bool(
        watcher.matching(
            lambda m: (
                getattr(m.status, "service_name", None) == SESSION_SERVICE
                and m.status.worker_id == session_id
                and m.status.state is ServiceState.STOPPED
            )
        )
    )


def heartbeats_of(watcher: StatusWatcher, session_id: str) -> list[StatusMessage]:
    return watcher.matching(
        lambda m: (
            getattr(m.status, "service_name", None) == SESSION_SERVICE
            and m.status.worker_id == session_id
        )
    )


def measured(request: pytest.FixtureRequest, name: str, value: object) -> None:
    """Keep a measured number with the test's report (and in its captured log)."""
    request.node.user_properties.append((name, value))
    logger.info("e2e_measured", test=request.node.name, name=name, value=value)


# --- waiting --------------------------------------------------------------------------


def hold(seconds: float, check: Callable[[], Any], *, interval_s: float = 0.25) -> int:
    """Call ``check`` (which asserts) until ``seconds`` have passed; return the call count.

    For "X stays true for a while": a deadline with a check on every poll, not a sleep.
    """
    deadline = time.monotonic() + seconds
    calls = 0

    def done() -> bool:
        nonlocal calls
        check()
        calls += 1
        return time.monotonic() >= deadline

    wait_until(done, seconds + GENEROUS_S, interval_s=interval_s)
    return calls


# --- pages ----------------------------------------------------------------------------


def open_dashboard(
    context: BrowserContext, url: str, *, tab: str | None = "Workflows", wait: bool = True
) -> Page:
    """A new page on ``url``; with ``wait``, once its tabs are shown and ``tab`` is open.

    ``tab="Workflows"`` also waits for the workflow cards; ``tab=None`` stays on the
    landing tab. Without ``wait`` the page is only requested (open several at once, then
    :func:`wait_rendered` each).
    """
    page = context.new_page()
    page.add_init_script(_TOAST_RECORDER)
    page.goto(url, wait_until="commit")
    if wait:
        wait_rendered(page, tab=tab)
    return page


def wait_rendered(page: Page, *, tab: str | None = "Workflows") -> Page:
    """Wait until the page shows its tabs (and has ``tab`` open, see open_dashboard)."""
    timeout_ms = RENDER_TIMEOUT_S * 1000
    tabs = page.locator(".bk-tab", has_text="Workflows").first
    tabs.wait_for(timeout=timeout_ms)
    if tab is not None:
        page.locator(".bk-tab", has_text=tab).first.click(timeout=timeout_ms)
    if tab == "Workflows":
        page.locator(".ld-workflow-card").first.wait_for(timeout=timeout_ms)
    return page


def workflow_card(page: Page, workflow_title: str):
    """The card whose title is exactly ``workflow_title``."""
    title = page.locator(".ld-card-title").filter(has_text=workflow_title)
    return page.locator(".ld-workflow-card").filter(has=title).first


def click_start(page: Page, workflow_title: str) -> None:
    """Press the card's Start button (a stopped workflow starts without confirmation)."""
    card = workflow_card(page, workflow_title)
    card.get_by_role("button", name="Start", exact=True).click()


def badge_text(page: Page, workflow_title: str) -> str:
    """The status badge of the card titled ``workflow_title`` (``ACTIVE``, ...)."""
    return workflow_card(page, workflow_title).locator(".ld-badge").first.inner_text().strip()


def toasts(page: Page) -> list[tuple[str, str]]:
    """Every toast the page showed since it loaded: ``(level, text)``, oldest first."""
    return [
        (entry["level"], entry["text"])
        for entry in page.evaluate(
            "() => (window.__ldToasts || []).map("
            "t => ({level: t.level, text: t.element.textContent.trim()}))"
        )
    ]


def short_session_id(page: Page) -> str:
    """The 8-character session id the page header shows."""
    fact = page.locator(".livedash-header .fact").filter(has_text="session").locator("b")
    return fact.first.inner_text().strip()


def connection_text(page: Page) -> str:
    """The connection indicator: ``Live`` or ``Disconnected``."""
    return page.locator(".livedash-connection").first.inner_text().strip()
