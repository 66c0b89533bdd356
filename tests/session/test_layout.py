"""The layout follower: seeds an empty topic, follows the layout once caught up."""

from __future__ import annotations

import pytest

from livedash.instruments import Instrument
from livedash.kafka.memory import InMemoryBroker
from livedash.plots.model import GridSet
from livedash.plots.templates import grids_from_templates
from livedash.session.layout import LayoutFollower
from livedash.session.topics import SessionTopics
from livedash.store.config_store import ConfigStore
from livedash.store.documents import GRIDS_DOC, WorkflowParams, workflow_params_doc

from .fakes import MONITOR, memory_broker

TOPICS = SessionTopics.for_instrument("dummy")


class RecordingPlots:
    def __init__(self) -> None:
        self.synced: list[GridSet] = []

    def sync(self, gridset: GridSet) -> None:
        self.synced.append(gridset)


class Reader:
    """A store fed from the configuration topic, a follower and what it synced."""

    def __init__(self, broker: InMemoryBroker, dummy: Instrument) -> None:
        self.broker = broker
        self.store = ConfigStore(
            sink=broker.producer(), topic=TOPICS.livedash_config, writer_id="reader"
        )
        self._source = broker.consumer([TOPICS.livedash_config], start="beginning")
        self.plots = RecordingPlots()
        self.layers: list[int] = []
        self.follower = LayoutFollower(
            store=self.store, instrument=dummy, plots=self.plots, on_layers=self.layers.append
        )

    def feed(self) -> None:
        for message in self._source.poll_batch(timeout_s=0.001):
            self.store.on_message(message)

    def tick(self) -> None:
        self.feed()
        self.follower.seed()
        self.follower.follow()


@pytest.fixture
def reader(dummy: Instrument) -> Reader:
    return Reader(memory_broker(), dummy)


def templates(dummy: Instrument) -> GridSet:
    return GridSet(grids=tuple(grids_from_templates(dummy)))


def test_nothing_is_seeded_or_synced_before_the_store_caught_up(reader: Reader) -> None:
    reader.tick()
    assert not reader.store.synced
    assert reader.broker.messages(TOPICS.livedash_config) == []
    assert reader.plots.synced == []


def test_an_empty_topic_is_seeded_and_the_seed_followed(reader: Reader, dummy: Instrument) -> None:
    reader.store.request_sync()
    reader.tick()
    assert reader.follower.stats() == {"seeded": 1, "synced": 0}
    reader.tick()
    assert reader.plots.synced == [templates(dummy)]
    assert reader.layers == [sum(1 for _ in templates(dummy).layers())]


def test_a_change_of_another_document_does_not_sync_again(reader: Reader) -> None:
    reader.store.request_sync()
    reader.tick()
    reader.tick()
    body = WorkflowParams(workflow_id=MONITOR)
    reader.store.put(workflow_params_doc(MONITOR), body, base_version=None)
    reader.tick()
    assert len(reader.plots.synced) == 1


def test_a_deleted_layout_drops_the_plots_and_is_seeded_again(
    reader: Reader, dummy: Instrument
) -> None:
    reader.store.request_sync()
    reader.tick()
    reader.tick()
    index = reader.store.get(GRIDS_DOC)
    assert index is not None
    reader.broker.producer().produce(TOPICS.livedash_config, b"", key=GRIDS_DOC.encode())
    reader.tick()
    assert reader.plots.synced[-1] == GridSet()
    assert reader.layers[-1] == 0
    reader.tick()
    assert reader.plots.synced[-1] == templates(dummy)
    assert reader.follower.stats()["seeded"] == 2
