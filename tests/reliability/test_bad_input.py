"""Bad input: a flood of malformed messages on every topic a session reads.

2,000 (long: 10,000) malformed messages, interleaved with a quarter as many valid ones
(:mod:`.badinput` lists the kinds), go through the embedded broker to two real
:class:`~livedash.session.stack.SessionStack` s and to one real browser tab on a
``livedash serve`` worker, all reading the same fresh instrument's topics. Afterwards:

- every bad message was counted once, under its kind, by each stack (pump decode
  errors, configuration-store skips, unknown-workflow heartbeats, undecoded results of
  unknown workflows), and nothing raised anything but a DecodeError;
- every valid message was delivered: job heartbeats to the job service, results (a
  quarter with NaN and inf) to the data service, acknowledgements, commands, grid
  documents, the service heartbeat's last value; the shared layout survived bad records
  written under its own key;
- the browser tab is still Live with no script error, its worker alive (same pid), its
  session still heartbeating, and its log names every kind it skipped.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.session.stack import SessionStack
from livedash.store.layout import read_layout
from tests.helpers import wait_until
from tests.worker.process import ServedWorker

from .badinput import Plan, Planned, build_plan
from .heartbeats import HeartbeatLog, now
from .report import report
from .scale import sizes

LIVE = ".livedash-connection--live"
LOST = ".livedash-connection--lost"
PAGE_TIMEOUT_MS = 60_000
SETTLE_TIMEOUT_S = 60.0
# The stack's own counters of each kind of bad input (see .badinput).
PUMP_KINDS = ("da00", "result_key", "x5f2", "ack", "command")


def counted(stack: SessionStack) -> Counter[str]:
    """What ``stack`` counted so far, by the kinds of :mod:`.badinput`."""
    stats = stack.stats()
    counts = Counter(stats["pump"]["decode_errors"]) + Counter(stats["store"]["skipped"])
    counts["unknown_workflow"] = stats["jobs"]["ignored_unknown_workflow"]
    counts["data_unknown_workflow"] = stats["pump"]["routed"].get("data_skipped", 0)
    return +counts


def delivered(stack: SessionStack, plan: Plan) -> Counter[str]:
    """The valid messages of ``plan`` that reached their service, by what they are."""
    stats = stack.stats()
    routed = stats["pump"]["routed"]
    documents = stack.store.documents("grid/")
    services = {e.service_id: e for e in stack.services.backend_services()}
    service = services.get(plan.service_id)
    counts = Counter(
        {
            # The unknown-workflow heartbeats are routed too, and the first one of the job.
            "job_status": routed.get("job_status", 0) - plan.bad["unknown_workflow"] - 1,
            "data": stats["data"]["stored"],
            "ack": routed.get("ack", 0),
            "command": routed.get("command", 0),
            "config": sum(doc in documents for doc in plan.grid_docs),
        }
    )
    if service is not None and service.status.active_job_count == plan.last_service_sequence:
        counts["service_status"] = plan.valid["service_status"]
    return +counts


def settled(stacks: list[SessionStack], plan: Plan) -> bool:
    """True once every stack counted everything; fails at once on counting too much."""
    for stack in stacks:
        bad, good = counted(stack), delivered(stack, plan)
        over = {k: v for k, v in bad.items() if v > plan.bad[k]}
        over |= {k: v for k, v in good.items() if v > plan.valid[k]}
        assert not over, f"counted more than was sent: {over} (sent {plan.bad} {plan.valid})"
        if bad != plan.bad or good != plan.valid:
            return False
    return True


@pytest.fixture
def worker(
    instrument_name: str, kafka_settings: KafkaSettings, tmp_path: Path
) -> Iterator[ServedWorker]:
    served = ServedWorker(
        instrument=instrument_name,
        bootstrap=kafka_settings.bootstrap,
        log_path=tmp_path / "serve.log",
    )
    try:
        served.wait_healthy()
        yield served
    finally:
        served.kill()


@pytest.fixture
def heartbeats(kafka_settings: KafkaSettings, instrument_name: str) -> Iterator[HeartbeatLog]:
    log = HeartbeatLog(kafka_settings, instrument_name, start="beginning")
    yield log
    log.close()


def produce(producer: Producer, messages: list[Planned]) -> None:
    for message in messages:
        producer.produce(message.topic, message.value, key=message.key)
    assert producer.flush(60.0) == 0
    assert producer.failed == 0


def open_tab(browser: Browser, worker: ServedWorker, errors: list[str]) -> Page:
    page = browser.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(worker.page_url, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector(LIVE, timeout=PAGE_TIMEOUT_MS)
    return page


def skipped_kinds_logged(worker: ServedWorker) -> set[str]:
    kinds = {e.get("kind", "") for e in worker.events("message_skipped")}
    return kinds | {e.get("kind", "") for e in worker.events("config_record_skipped")}


@pytest.mark.parametrize("bad_count", sizes(2_000, 10_000))
def test_every_bad_message_is_counted_and_every_valid_one_delivered(  # noqa: PLR0917
    bad_count: int,
    browser: Browser,
    kafka_settings: KafkaSettings,
    instrument_name: str,
    worker: ServedWorker,
    stacks: list[SessionStack],
    heartbeats: HeartbeatLog,
) -> None:
    plan = build_plan(instrument_name, bad=bad_count)
    errors: list[str] = []
    page = open_tab(browser, worker, errors)
    producer = Producer.create(kafka_settings, client_id="reliability-bad-input")
    try:
        worker_pid = worker.health()["pid"]
        (tab_session,) = heartbeats.wait_for(
            lambda log: log.sessions_of(worker.health()["worker_id"]), 30, "no tab session"
        )  # type: ignore[misc]
        for stack in stacks:
            wait_until(lambda s=stack: read_layout(s.store), 30, message="layout never seeded")
        layout = read_layout(stacks[0].store)
        produce(producer, [plan.first])
        for stack in stacks:
            wait_until(
                lambda s=stack: s.data.wants(plan.wanted_key), 30, message="job not followed"
            )
        started = time.monotonic()
        produce(producer, plan.messages)
        produced_s = time.monotonic() - started
        wait_until(
            lambda: settled(stacks, plan),
            SETTLE_TIMEOUT_S * bad_count / 2_000,
            0.1,
            message=f"not settled; sent {plan.bad} {plan.valid}, counted "
            f"{[counted(s) for s in stacks]} delivered {[delivered(s, plan) for s in stacks]}",
        )
        settled_s = time.monotonic() - started
        flooded_at = now()
        for stack in stacks:
            pump = stack.stats()["pump"]
            assert pump["route_errors"] == {}
            assert pump["tick_errors"] == {}
            assert pump["running"]
            assert read_layout(stack.store).gridset == layout.gridset  # type: ignore[union-attr]
        heartbeats.wait_for(
            lambda log: (last := log.last(tab_session)) and last.produced_at > flooded_at,
            10,
            "the tab's session stopped heartbeating",
        )
        health = worker.health()
        assert (health["pid"], health["sessions"]) == (worker_pid, 1)
        assert page.locator(LIVE).count() == 1
        assert page.locator(LOST).count() == 0
        assert errors == []
        wait_until(
            lambda: skipped_kinds_logged(worker) >= {k for k in plan.bad if k in PUMP_KINDS},
            10,
            message=f"the tab's session did not log every kind: {skipped_kinds_logged(worker)}",
        )
        report(
            "bad_input",
            bad=bad_count,
            valid=sum(plan.valid.values()),
            produce_s=round(produced_s, 2),
            all_counted_s=round(settled_s, 2),
            bad_by_kind=dict(plan.bad),
        )
    finally:
        producer.close()
        page.close()
