"""The configuration store under concurrent layout edits from four processes.

tests/store/test_config_store_kafka.py proves the store itself: writer processes of
workflow-params documents, plain readers. This suite takes the same idea to what users
share: the *plot layout* (an index plus one document per grid, written with
:func:`write_layout`), edited by four processes at once (100 edits each, long: 500;
:mod:`.layout_writer`) while two real session stacks follow it. Every grid carries a
digest of its content in its title.

- A checker store is fed one record at a time and its layout is checked after every
  record; the sessions' layouts are checked as often as the test loop can: no reader
  ever shows a grid that is not exactly as one writer wrote it (or the seeded template).
- Afterwards a late reader defines the last write of every document (the log decides),
  and both sessions, and the checker, converge to exactly that layout, with a plot view
  for every layer of it.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from livedash.instruments import Instrument
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.plots.model import Grid, GridSet
from livedash.plots.templates import grids_from_templates
from livedash.protocol.topics import StreamKind, topic_for
from livedash.session.stack import SessionStack
from livedash.store import ConfigStore
from livedash.store.layout import read_layout
from tests.helpers import wait_until
from tests.store.test_config_store_kafka import reader

from .layout_writer import grid_is_intact
from .report import report
from .scale import sizes

WRITERS = 4
SHARED_GRIDS = 3
REPO = Path(__file__).resolve().parents[2]


def assert_intact(gridset: GridSet | None, templates: list[Grid], where: str) -> None:
    """Every grid is the seeded template or exactly as one writer wrote it."""
    if gridset is None:
        return
    for grid in gridset.grids:
        assert grid in templates or grid_is_intact(grid), f"{where} shows a torn grid: {grid}"


def layout_documents(store: ConfigStore) -> dict[str, tuple[int, str, object]]:
    return {
        doc: (document.version, document.writer, document.body)
        for doc, document in store.documents("grid").items()
    }


def start_writers(
    settings: KafkaSettings, topic: str, instrument: str, count: int, grid_ids: list[uuid.UUID]
) -> list[subprocess.Popen[bytes]]:
    argv = [
        sys.executable, "-m", "tests.reliability.layout_writer",
        "--bootstrap", settings.bootstrap, "--topic", topic, "--instrument", instrument,
        "--count", str(count), "--grid-ids", ",".join(str(g) for g in grid_ids),
    ]  # fmt: skip
    return [subprocess.Popen([*argv, "--writer", f"writer-{n}"], cwd=REPO) for n in range(WRITERS)]


def late_reader(settings: KafkaSettings, topic: str) -> ConfigStore:
    """A store that has read the whole topic (its own sync marker came back)."""
    consumer = AssignedConsumer.create(
        settings, topics=[topic], group_prefix="test_layout_late", start="beginning"
    )
    producer = Producer.create(settings, client_id="layout-late-reader")
    store = ConfigStore(sink=producer, topic=topic, writer_id="late-reader")
    try:
        store.request_sync()

        def synced() -> bool:
            for message in consumer.poll_batch(max_messages=500, timeout_s=0.05):
                store.on_message(message)
            return store.synced

        wait_until(synced, 60, 0.01, message="the late reader never caught up")
    finally:
        producer.close()
        consumer.close()
    return store


@pytest.mark.parametrize("writes_each", sizes(100, 500))
def test_concurrent_layout_writers_show_no_torn_grid_and_sessions_converge(
    writes_each: int,
    kafka_settings: KafkaSettings,
    instrument_name: str,
    instrument: Instrument,
    stacks: list[SessionStack],
) -> None:
    topic = topic_for(instrument_name, StreamKind.LIVEDASH_CONFIG)
    templates = list(grids_from_templates(instrument))
    for stack in stacks:
        wait_until(lambda s=stack: read_layout(s.store), 30, message="layout never seeded")
    checker, checker_consumer = reader(kafka_settings, topic)
    grid_ids = [uuid.uuid4() for _ in range(SHARED_GRIDS)]
    started = time.monotonic()
    writers = start_writers(kafka_settings, topic, instrument_name, writes_each, grid_ids)
    checks = 0
    try:

        def writers_done() -> bool:
            nonlocal checks
            for message in checker_consumer.poll_batch(max_messages=500, timeout_s=0.02):
                checker.on_message(message)
                snapshot = read_layout(checker)
                assert_intact(snapshot and snapshot.gridset, templates, "the checker")
                checks += 1
            for index, stack in enumerate(stacks):
                snapshot = read_layout(stack.store)
                assert_intact(snapshot and snapshot.gridset, templates, f"session {index}")
                checks += 1
            return all(w.poll() is not None for w in writers)

        wait_until(writers_done, 60 * writes_each / 100, 0.001, message="writers still running")
        written_s = time.monotonic() - started
        assert [w.returncode for w in writers] == [0] * WRITERS
        late = late_reader(kafka_settings, topic)
        final = layout_documents(late)
        expected = read_layout(late)
        assert expected is not None
        assert {g.grid_id for g in expected.gridset.grids} == set(grid_ids)
        assert_intact(expected.gridset, templates, "the late reader")
        layers = [layer.layer_id for _, _, layer in expected.gridset.layers()]

        def converged(store: ConfigStore, stack: SessionStack | None = None) -> bool:
            if layout_documents(store) != final:
                return False
            snapshot = read_layout(store)
            if snapshot is None or snapshot.gridset != expected.gridset:
                return False
            return stack is None or all(stack.plots.view(i) is not None for i in layers)

        def checker_converged() -> bool:
            for message in checker_consumer.poll_batch(max_messages=500, timeout_s=0.02):
                checker.on_message(message)
            return converged(checker)

        wait_until(checker_converged, 30, message="the checker did not converge")
        for index, stack in enumerate(stacks):
            wait_until(
                lambda s=stack: converged(s.store, s),
                30,
                message=f"session {index} did not converge to the last writes",
            )
        report(
            "layout_writers",
            writers=WRITERS,
            writes_each=writes_each,
            records=late.stats()["applied"],
            writers_done_s=round(written_s, 2),
            converged_s=round(time.monotonic() - started, 2),
            layout_checks=checks,
            final_versions={doc: version for doc, (version, _, _) in final.items()},
        )
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait(10)
        checker_consumer.close()
