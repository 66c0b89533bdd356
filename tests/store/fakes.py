"""Stores on an in-memory broker, fed from the beginning of the configuration topic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from livedash.kafka.memory import InMemoryBroker, InMemoryConsumer, InMemoryProducer
from livedash.plots.model import Cell, Grid, LayerConfig
from livedash.protocol.ids import WorkflowId
from livedash.store import ConfigStore, WorkflowParams

TOPIC = "dummy_livedash_config"
T0_NS = 1_763_700_000_000_000_000
PANEL = WorkflowId(instrument="dummy", name="panel_0_xy", version=1)
MONITOR = WorkflowId(instrument="dummy", name="monitor_histogram", version=1)


class FakeWallClock:
    """ns since the epoch; moves by one second per reading, so every write has its time."""

    def __init__(self, start_ns: int = T0_NS) -> None:
        self.now_ns = start_ns

    def __call__(self) -> int:
        self.now_ns += 1_000_000_000
        return self.now_ns


@dataclass
class Reader:
    """A store with its own producer and a consumer from the topic's beginning."""

    store: ConfigStore
    consumer: InMemoryConsumer
    producer: InMemoryProducer

    def feed(self, max_messages: int = 1000) -> int:
        """Apply every record waiting for this reader; how many there were."""
        total = 0
        while batch := self.consumer.poll_batch(max_messages=max_messages, timeout_s=0.0):
            for message in batch:
                self.store.on_message(message)
            total += len(batch)
        return total

    def feed_some(self, count: int) -> int:
        """Apply at most ``count`` waiting records (a reader that lags)."""
        if count < 1:
            return 0
        batch = self.consumer.poll_batch(max_messages=count, timeout_s=0.0)
        for message in batch:
            self.store.on_message(message)
        return len(batch)


def make_broker() -> InMemoryBroker:
    return InMemoryBroker(topics=[TOPIC])


def make_reader(broker: InMemoryBroker, writer_id: str | None = None) -> Reader:
    producer = broker.producer()
    store = ConfigStore(
        sink=producer,
        topic=TOPIC,
        writer_id=writer_id or str(uuid.uuid4()),
        clock=FakeWallClock(),
    )
    return Reader(
        store=store, consumer=broker.consumer([TOPIC], start="beginning"), producer=producer
    )


def params_doc(workflow_id: WorkflowId = PANEL, **params: object) -> WorkflowParams:
    return WorkflowParams(workflow_id=workflow_id, params=dict(params))


def simple_grid(title: str = "Grid", *, grid_id: uuid.UUID | None = None) -> Grid:
    layer = LayerConfig.model_validate(
        {
            "roles": {
                "primary": {
                    "workflow_id": str(PANEL),
                    "source_name": "panel_0",
                    "output_name": "cumulative",
                }
            }
        }
    )
    return Grid(
        grid_id=grid_id or uuid.uuid4(),
        title=title,
        nrows=2,
        ncols=2,
        cells=(Cell(row=0, col=0, layers=(layer,)),),
    )
