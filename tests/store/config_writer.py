"""A writer process for the configuration-store integration test.

``python -m tests.store.config_writer --bootstrap H:P --topic T --writer W --count N``
writes N workflow-params documents through a :class:`ConfigStore` that reads the topic
from the beginning (so its base versions are whatever it has read so far), then flushes
and exits 0, or 1 if some write was not delivered. Each body carries a payload and its
SHA-256, so a reader can prove it never saw a torn or mixed-up document.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys

from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.ids import WorkflowId
from livedash.store import ConfigStore, WorkflowParams, workflow_params_doc

WORKFLOWS = [WorkflowId(instrument="dummy", name=f"wf{i}", version=1) for i in range(3)]


def digest(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


def body_for(workflow_id: WorkflowId, writer: str, seq: int, rng: random.Random) -> WorkflowParams:
    payload = f"{writer}:{seq}:" + "x" * rng.randint(0, 4000)
    return WorkflowParams(
        workflow_id=workflow_id,
        params={"writer": writer, "seq": seq, "payload": payload, "digest": digest(payload)},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--writer", required=True)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args(argv)
    settings = KafkaSettings(bootstrap=args.bootstrap)
    rng = random.Random(args.writer)
    consumer = AssignedConsumer.create(
        settings, topics=[args.topic], group_prefix="test_config_writer", start="beginning"
    )
    producer = Producer.create(settings, client_id=f"config-writer-{args.writer}")
    store = ConfigStore(sink=producer, topic=args.topic, writer_id=args.writer)
    try:
        for seq in range(args.count):
            for message in consumer.poll_batch(max_messages=100, timeout_s=0.001):
                store.on_message(message)
            workflow_id = rng.choice(WORKFLOWS)
            doc = workflow_params_doc(workflow_id)
            current = store.get(doc)
            store.put(
                doc,
                body_for(workflow_id, args.writer, seq, rng),
                base_version=None if current is None else current.version,
            )
        undelivered = producer.flush(30.0)
    finally:
        producer.close()
        consumer.close()
    return 1 if undelivered or producer.failed or producer.dropped else 0


if __name__ == "__main__":
    sys.exit(main())
