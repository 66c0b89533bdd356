"""Many writers on one topic: every reader ends with the documents of the log's last writes."""

from __future__ import annotations

import random
import threading

from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.ids import WorkflowId
from livedash.store import ConfigStore, WorkflowParams, workflow_params_doc
from livedash.store.documents import validate_document
from livedash.store.envelope import decode_record

from .fakes import TOPIC, Reader, make_broker, make_reader

WRITERS = 4
WRITES_EACH = 500
WORKFLOWS = [WorkflowId(instrument="dummy", name=f"wf{i}", version=1) for i in range(5)]
GARBAGE = [b"{oops", b'{"schema": 7}', b"", b'{"schema": 1, "doc": "x"}']


def final_state(store: ConfigStore) -> dict[str, tuple[object, int, str]]:
    return {
        doc: (document.body, document.version, document.writer)
        for doc, document in store.documents().items()
    }


def expected_from_log(broker: InMemoryBroker) -> dict[str, tuple[object, int, str]]:
    """The last valid record of every document, straight from the log."""
    state: dict[str, tuple[object, int, str]] = {}
    for message in broker.messages(TOPIC):
        try:
            envelope = decode_record(message.key, message.value)
            if envelope.doc.startswith("_"):
                continue
            if envelope.deleted:
                state.pop(envelope.doc, None)
                continue
            body = validate_document(envelope.doc, envelope.body)
        except ValueError:
            continue
        state[envelope.doc] = (body, envelope.version, envelope.writer)
    return state


def write_once(reader: Reader, rng: random.Random, step: int) -> None:
    workflow = rng.choice(WORKFLOWS)
    doc = workflow_params_doc(workflow)
    current = reader.store.get(doc)
    base = None if current is None else current.version
    if current is not None and rng.random() < 0.05:
        reader.store.delete(doc, base_version=base)
        return
    body = WorkflowParams(
        workflow_id=workflow, params={"writer": reader.store.writer_id, "step": step}
    )
    reader.store.put(doc, body, base_version=base)


def test_interleaved_writers_converge_to_the_logs_last_writes() -> None:
    rng = random.Random(20251121)
    broker = make_broker()
    readers = [make_reader(broker, f"writer-{i}") for i in range(WRITERS)]
    garbage = broker.producer()
    writes = dict.fromkeys(range(WRITERS), 0)
    step = 0
    while any(count < WRITES_EACH for count in writes.values()):
        index = rng.choice([i for i, count in writes.items() if count < WRITES_EACH])
        reader = readers[index]
        reader.feed_some(rng.randint(0, 12))
        write_once(reader, rng, step)
        writes[index] += 1
        step += 1
        if rng.random() < 0.02:
            garbage.produce(TOPIC, rng.choice(GARBAGE), key=b"grids")
    late = make_reader(broker, "late-reader")
    for reader in [*readers, late]:
        reader.feed()
    expected = expected_from_log(broker)
    assert expected
    for reader in [*readers, late]:
        assert final_state(reader.store) == expected
    assert sum(r.store.stats()["conflicts"] for r in readers) > 0
    assert sum(late.store.stats()["skipped"].values()) > 0


def test_writers_on_threads_converge() -> None:
    broker = make_broker()
    readers = [make_reader(broker, f"thread-{i}") for i in range(WRITERS)]
    failures: list[BaseException] = []

    def run(reader: Reader, seed: int) -> None:
        rng = random.Random(seed)
        try:
            for step in range(WRITES_EACH):
                reader.feed_some(rng.randint(0, 8))
                write_once(reader, rng, step)
        except Exception as exc:  # noqa: BLE001 - handed to the test thread, which fails
            failures.append(exc)

    threads = [
        threading.Thread(target=run, args=(reader, seed)) for seed, reader in enumerate(readers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert not any(thread.is_alive() for thread in threads)
    for reader in readers:
        reader.feed()
    expected = expected_from_log(broker)
    assert len(broker.messages(TOPIC)) == WRITERS * WRITES_EACH
    for reader in readers:
        assert final_state(reader.store) == expected
