"""A fake backend wired to the in-memory broker, driven by a fake clock."""

from __future__ import annotations

import uuid
from typing import Any

import scipp as sc

from livedash.backend.service import FakeBackend
from livedash.backend.settings import BackendSettings
from livedash.instruments import Instrument
from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.acks import Acknowledgement, decode_ack
from livedash.protocol.commands import JobAction, JobCommand, WorkflowConfig, encode_command
from livedash.protocol.da00 import Da00Message
from livedash.protocol.ids import JobId, ResultKey, WorkflowId
from livedash.protocol.results import decode_result
from livedash.protocol.status import StatusMessage, decode_status
from livedash.protocol.topics import livedata_topic_specs

from .conftest import FakeClock


class Harness:
    """Sends to the input topics, steps the backend, reads each output topic once."""

    def __init__(self, instrument: Instrument, clock: FakeClock, **settings: Any) -> None:
        self.instrument = instrument
        self.clock = clock
        self.broker = InMemoryBroker(topics=livedata_topic_specs(instrument.name))
        options = {"instrument": instrument.name, "seed": 1} | settings
        self.settings = BackendSettings(**options)
        self.backend = FakeBackend(
            instrument=instrument,
            settings=self.settings,
            source=self.broker.consumer(topics=[self.topics_in("commands"), self.topics_in("roi")]),
            sink=self.broker.producer(),
            clock=clock.monotonic,
            wall_clock_ns=clock.wall_ns,
            host_name="testhost",
            process_id=4242,
        )
        self._read: dict[str, int] = {}
        self._producer = self.broker.producer(client_id="test-dashboard")

    def topics_in(self, kind: str) -> str:
        return f"{self.instrument.name}_livedata_{kind}"

    @property
    def topics(self):
        return self.backend.topics

    def send(self, topic: str, value: bytes) -> None:
        self._producer.produce(topic, value)

    def command(self, value: bytes | WorkflowConfig | JobCommand) -> None:
        if not isinstance(value, bytes):
            value = encode_command(value)
        self.send(self.topics.commands, value)

    def roi(self, value: bytes) -> None:
        self.send(self.topics.roi, value)

    def step(self, seconds: float = 0.0) -> None:
        """Advance the clock by ``seconds`` (0: handle input only), then step once."""
        self.clock.advance(seconds)
        self.backend.step(timeout_s=0.0)

    def run_for(self, seconds: float, tick: float = 0.5) -> None:
        for _ in range(round(seconds / tick)):
            self.step(tick)

    def new(self, topic: str) -> list[bytes]:
        """The values produced on ``topic`` since the last call."""
        messages = self.broker.messages(topic)
        start = self._read.get(topic, 0)
        self._read[topic] = len(messages)
        return [m.value for m in messages[start:]]

    def acks(self) -> list[Acknowledgement]:
        return [decode_ack(value) for value in self.new(self.topics.responses)]

    def heartbeats(self) -> list[StatusMessage]:
        return [decode_status(value) for value in self.new(self.topics.status)]

    def results(self) -> list[tuple[ResultKey, Da00Message]]:
        return [decode_result(value) for value in self.new(self.topics.data)]

    def start(self, workflow: str, source: str, params: dict | None = None) -> JobId:
        spec = self.instrument.workflow(f"{self.instrument.name}/{workflow}/1")
        cmd = WorkflowConfig(
            identifier=spec.id,
            job_id=JobId(source_name=source, job_number=uuid.uuid4()),
            aux_source_names=spec.default_aux_source_names(),
            params=spec.params.default_payload() if params is None else params,
        )
        self.command(cmd)
        self.step()
        return cmd.job_id

    def job_command(
        self, action: JobAction, *, job_id: JobId | None = None, workflow: str | None = None
    ) -> JobCommand:
        workflow_id = None
        if workflow is not None:
            workflow_id = WorkflowId(instrument=self.instrument.name, name=workflow, version=1)
        cmd = JobCommand(action=action, job_id=job_id, workflow_id=workflow_id)
        self.command(cmd)
        self.step()
        return cmd


def structure(data: sc.DataArray) -> dict[str, Any]:
    """The parts of a decoded result that the wire fixes: names, dims, dtypes, units."""
    return {
        "name": data.name,
        "dims": list(data.dims),
        "dtype": str(data.dtype),
        "unit": None if data.unit is None else str(data.unit),
        "has_variances": data.variances is not None,
        "coords": {
            name: {
                "dims": list(coord.dims),
                "dtype": str(coord.dtype),
                "unit": None if coord.unit is None else str(coord.unit),
            }
            for name, coord in data.coords.items()
        },
    }


def expected_structure(decoded: dict[str, Any], *, label: str | None = None) -> dict[str, Any]:
    """The same view of a sidecar's ``decoded`` section or an observed wire output."""
    return {
        "name": decoded.get("name", label),
        "dims": decoded["dims"],
        "dtype": decoded["dtype"],
        "unit": decoded["unit"],
        "has_variances": decoded.get("has_variances", decoded.get("has_errors_variable")),
        "coords": {
            name: {"dims": coord["dims"], "dtype": coord["dtype"], "unit": coord["unit"]}
            for name, coord in decoded["coords"].items()
        },
    }
