"""Writer processes and readers on the embedded broker's configuration topic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.memory import InMemoryBroker
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import StreamKind, topic_for
from livedash.store import ConfigStore, WorkflowParams
from tests.helpers import wait_until

from .config_writer import digest

WRITERS = 4
WRITES_EACH = 100
REPO = Path(__file__).resolve().parents[2]
GARBAGE = [b"{torn", b'{"schema": 1, "doc": "grids"}', b'{"schema": 5}']


def reader(settings: KafkaSettings, topic: str) -> tuple[ConfigStore, AssignedConsumer]:
    consumer = AssignedConsumer.create(
        settings, topics=[topic], group_prefix="test_config_reader", start="beginning"
    )
    # Readers never write: their sink is a stand-in that would fail any write.
    store = ConfigStore(sink=InMemoryBroker().producer(), topic=topic, writer_id="reader")
    return store, consumer


def feed(store: ConfigStore, consumer: AssignedConsumer) -> None:
    for message in consumer.poll_batch(max_messages=500, timeout_s=0.05):
        store.on_message(message)


def assert_intact(store: ConfigStore) -> None:
    for doc, document in store.documents().items():
        body = document.body
        assert isinstance(body, WorkflowParams)
        assert doc == f"workflow_params/{body.workflow_id}"
        params = body.params
        assert params["digest"] == digest(params["payload"])
        assert params["payload"].startswith(f"{params['writer']}:{params['seq']}:")
        assert params["writer"] == document.writer


def catch_up(store: ConfigStore, consumer: AssignedConsumer) -> None:
    """Feed ``store`` until it has applied every write, checking it at every step."""

    def done() -> bool:
        feed(store, consumer)
        assert_intact(store)
        return store.stats()["applied"] == WRITERS * WRITES_EACH

    wait_until(done, timeout_s=60.0, interval_s=0.01)


def final(store: ConfigStore) -> dict[str, tuple[object, int, str]]:
    return {d: (doc.body, doc.version, doc.writer) for d, doc in store.documents().items()}


def test_writer_processes_and_readers_converge_without_corrupt_documents(
    kafka_settings: KafkaSettings, instrument_topics: str
) -> None:
    topic = topic_for(instrument_topics, StreamKind.LIVEDASH_CONFIG)
    live, live_consumer = reader(kafka_settings, topic)
    garbage = Producer.create(kafka_settings, client_id="config-garbage")
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.store.config_writer",
                "--bootstrap",
                kafka_settings.bootstrap,
                "--topic",
                topic,
                "--writer",
                f"writer-{n}",
                "--count",
                str(WRITES_EACH),
            ],
            cwd=REPO,
        )
        for n in range(WRITERS)
    ]
    try:
        for value in GARBAGE:
            garbage.produce(topic, value, key=b"grids")
        assert garbage.flush(10.0) == 0

        def writers_done() -> bool:
            feed(live, live_consumer)
            assert_intact(live)
            return all(w.poll() is not None for w in writers)

        wait_until(writers_done, timeout_s=120.0, interval_s=0.01)
        assert [w.returncode for w in writers] == [0] * WRITERS
        late, late_consumer = reader(kafka_settings, topic)
        try:
            catch_up(live, live_consumer)
            catch_up(late, late_consumer)
            assert final(live) == final(late)
            assert len(final(late)) == 3
            assert late.stats()["skipped"] == {
                "config_envelope": 1,
                "config_json": 1,
                "config_schema": 1,
            }
        finally:
            late_consumer.close()
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait(10)
        garbage.close()
        live_consumer.close()
