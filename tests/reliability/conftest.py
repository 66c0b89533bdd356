"""Fixtures of the reliability suites: one ``livedash demo`` shared by the tab suites.

``demo`` is a real deployment (supervisord, nginx, two workers, the embedded broker and
the fake backend) in a temporary run directory, shared by every suite of this package
that asks for it, since starting one costs several seconds of CPU per worker. Each
suite leaves it as it found it: every worker healthy, no session open, the workflow
running (the broker restart takes the demo through the operator's recovery, which
restarts the fake backend, and starts the workflow again). ``live_demo`` is the demo
with a workflow running, so every tab's plot updates once a second.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from livedash.instruments import Instrument, load_instrument
from livedash.kafka.settings import KafkaSettings
from livedash.session.stack import SessionStack
from livedash.session.transport import kafka_transport_factory
from tests.deploy.deployment import DemoRun

from .demo import start_demo, start_workflow, wait_all_healthy, wait_no_sessions


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    run = start_demo(tmp_path_factory.mktemp("demo"))
    try:
        yield run
    finally:
        run.kill()


@pytest.fixture(scope="package")
def live_demo(demo: DemoRun) -> DemoRun:
    start_workflow(demo)
    return demo


@pytest.fixture
def quiet_demo(live_demo: DemoRun) -> DemoRun:
    """The live demo with every worker healthy and no session open (waits for both)."""
    wait_all_healthy(live_demo)
    wait_no_sessions(live_demo)
    return live_demo


@pytest.fixture
def instrument(instrument_name: str) -> Instrument:
    return load_instrument(instrument_name)


@pytest.fixture
def stacks(kafka_settings: KafkaSettings, instrument: Instrument) -> Iterator[list[SessionStack]]:
    """Two started session stacks on the real broker for the test's fresh instrument."""
    built = [
        SessionStack(
            transport_factory=kafka_transport_factory(kafka_settings),
            instrument=instrument,
            worker_id=str(uuid.uuid4()),
        )
        for _ in range(2)
    ]
    try:
        for stack in built:
            stack.start()
        yield built
    finally:
        for stack in built:
            stack.close()
