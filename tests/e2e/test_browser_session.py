"""A real browser tab against a real worker: one session per tab, torn down with the tab."""

from __future__ import annotations

import time

import pytest

from livedash.protocol.status import ServiceState, StatusMessage
from tests.worker.process import of_service

pytestmark = pytest.mark.integration

RENDER_TIMEOUT_MS = 60_000


def session_of(worker_id: str, state: ServiceState | None = None):
    session = of_service("dashboard_session", state=state)

    def matches(message: StatusMessage) -> bool:
        return session(message) and message.status.dashboard["worker_id"] == worker_id

    return matches


def open_dashboard(context, worker) -> tuple[object, float]:
    """A page on the worker's entry (redirected to its prefix) with the tabs rendered."""
    page = context.new_page()
    started = time.monotonic()
    page.goto(f"{worker.base_url}/")
    page.locator(".bk-tab", has_text="Workflows").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    return page, time.monotonic() - started


def test_a_tab_gets_a_session_that_stops_when_the_tab_closes(
    browser, served_worker, status_watcher, record_property
):
    worker = served_worker()
    worker_id = worker.health()["worker_id"]
    context = browser.new_context()
    try:
        page, render_s = open_dashboard(context, worker)
        record_property("page_to_tabs_s", round(render_s, 2))
        assert page.url == worker.page_url
        running = status_watcher.wait_for(session_of(worker_id, ServiceState.RUNNING), 20)
        session_id = running.status.worker_id
        assert worker.health()["sessions"] == 1
        page.close()
        status_watcher.wait_for(
            of_service("dashboard_session", session_id, ServiceState.STOPPED),
            timeout_s=10,
            message="no stopped heartbeat within 10 s of closing the tab",
        )
    finally:
        context.close()


def test_the_tab_reports_its_visibility_on_the_session_heartbeat(
    browser, served_worker, status_watcher
):
    worker = served_worker()
    worker_id = worker.health()["worker_id"]
    context = browser.new_context()
    try:
        page, _ = open_dashboard(context, worker)
        status_watcher.wait_for(session_of(worker_id, ServiceState.RUNNING), 20)
        page.evaluate(
            """() => {
                Object.defineProperty(document, "visibilityState", {get: () => "hidden"})
                document.dispatchEvent(new Event("visibilitychange"))
            }"""
        )
        hidden = status_watcher.wait_for(
            lambda m: (
                session_of(worker_id, ServiceState.RUNNING)(m)
                and m.status.dashboard["visible"] is False
            ),
            timeout_s=10,
        )
        assert hidden.status.dashboard["browser_heartbeat_age_s"] < 5
    finally:
        context.close()
