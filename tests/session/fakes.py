"""Clocks, message builders and a tiny fake backend for the session-stack tests."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import scipp as sc

from livedash.instruments import Instrument
from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.acks import Acknowledgement, AckResponse, encode_ack
from livedash.protocol.commands import JobAction, JobCommand, WorkflowConfig, decode_command
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, ResultKey, WorkflowId
from livedash.protocol.results import encode_result
from livedash.protocol.status import JobState, JobStatus, encode_job_status
from livedash.protocol.topics import livedata_topic_specs
from livedash.session.topics import SessionTopics

PANEL = WorkflowId(instrument="dummy", name="panel_0_xy", version=1)
MONITOR = WorkflowId(instrument="dummy", name="monitor_histogram", version=1)
TIMESERIES = WorkflowId(instrument="dummy", name="timeseries_data", version=1)
T0_NS = 1_763_700_000_000_000_000


class FakeClock:
    """A monotonic clock in seconds that moves only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeWallClock:
    """A wall clock in ns since the epoch that moves only when told to."""

    def __init__(self, start_ns: int = T0_NS) -> None:
        self.now_ns = start_ns

    def __call__(self) -> int:
        return self.now_ns

    def advance(self, seconds: float) -> None:
        self.now_ns += int(seconds * 1e9)


def job_status(
    workflow_id: WorkflowId,
    source: str,
    job_number: uuid.UUID,
    state: JobState = JobState.ACTIVE,
    *,
    start_time: int | None = T0_NS,
    warning: str | None = None,
    error: str | None = None,
) -> JobStatus:
    return JobStatus(
        job_id=JobId(source_name=source, job_number=job_number),
        workflow_id=workflow_id,
        state=state,
        warning=warning,
        error=error,
        start_time=start_time,
    )


def result_key(
    workflow_id: WorkflowId, source: str, job_number: uuid.UUID, output: str = "cumulative"
) -> ResultKey:
    return ResultKey(
        workflow_id=workflow_id,
        job_id=JobId(source_name=source, job_number=job_number),
        output_name=output,
    )


def image(value: float = 1.0, size: int = 4) -> sc.DataArray:
    return sc.DataArray(
        sc.array(dims=["y", "x"], values=np.full((size, size), value), unit="counts"),
        coords={"x": sc.arange("x", float(size), unit="mm"), "y": sc.arange("y", float(size))},
    )


def series(first_ns: int, count: int, *, unit: str = "mm") -> sc.DataArray:
    times = np.arange(first_ns, first_ns + count, dtype=np.int64)
    return sc.DataArray(
        sc.array(dims=["time"], values=np.arange(count, dtype=np.float64), unit=unit),
        coords={"time": sc.datetimes(dims=["time"], values=times, unit="ns")},
    )


def memory_broker(**kwargs: Any) -> InMemoryBroker:
    return InMemoryBroker(topics=livedata_topic_specs("dummy"), **kwargs)


class FakeBackend:
    """Answers commands like the ESS backend, one explicit step at a time.

    :meth:`process` reads the commands sent so far: a WorkflowConfig starts a job (ACK
    with ``device`` = source), a JobCommand for a known job stops or resets it (ACK with
    ``device`` = str(job_id)), one by workflow selector (or for every job) acts on every
    matching job (ACK with ``device`` = "all"); a command that matches no job is met with
    silence. :meth:`beat` publishes one job heartbeat per job; :meth:`publish` a result.
    An ``online = False`` backend neither answers nor heartbeats; a ``deaf`` one loses
    the commands but keeps heartbeating.
    """

    def __init__(self, broker: InMemoryBroker, instrument: Instrument, wall: FakeWallClock):
        self.topics = SessionTopics.for_instrument(instrument.name)
        self._instrument = instrument
        self._wall = wall
        self._commands = broker.consumer([self.topics.commands], start="end")
        self._producer = broker.producer(client_id="fake-backend")
        self.jobs: dict[JobId, JobStatus] = {}
        self.received: list[WorkflowConfig | JobCommand] = []
        self.online = True
        self.deaf = False
        self.resets: list[JobId] = []

    def process(self) -> list[WorkflowConfig | JobCommand]:
        """Handle the commands sent so far; an offline backend loses them (no replay)."""
        messages = self._commands.poll_batch(timeout_s=0.001)
        if not self.online or self.deaf:
            return []
        batch = []
        for message in messages:
            try:
                batch.append(decode_command(message.value))
            except DecodeError:
                continue  # the real services skip such commands without an ack
        for command in batch:
            self.received.append(command)
            ack = self._handle(command)
            if ack is not None:
                self._producer.produce(self.topics.responses, encode_ack(ack))
        return batch

    def beat(self, *, state: JobState | None = None) -> None:
        if not self.online:
            return
        for job in self.jobs.values():
            status = job if state is None else job.model_copy(update={"state": state})
            value = encode_job_status(status, host_name="backend", process_id=1)
            self._producer.produce(self.topics.status, value)

    def publish(self, job_id: JobId, workflow_id: WorkflowId, output: str = "cumulative") -> None:
        key = ResultKey(workflow_id=workflow_id, job_id=job_id, output_name=output)
        value = encode_result(key, image(), timestamp_ns=self._wall())
        self._producer.produce(self.topics.data, value)

    def _handle(self, command: WorkflowConfig | JobCommand) -> Acknowledgement | None:
        if isinstance(command, WorkflowConfig):
            self._wall.advance(0.001)
            self.jobs[command.job_id] = job_status(
                command.identifier,
                command.job_id.source_name,
                command.job_id.job_number,
                start_time=self._wall(),
            )
            return _ack(command.message_id, command.job_id.source_name)
        if command.job_id is not None:
            targets = [command.job_id] if command.job_id in self.jobs else []
            device = str(command.job_id)
        else:
            targets = [
                job_id
                for job_id, status in self.jobs.items()
                if command.workflow_id in (None, status.workflow_id)
            ]
            device = "all"
        if not targets:
            return None
        for job_id in targets:
            if command.action is JobAction.STOP:
                del self.jobs[job_id]
            elif command.action is JobAction.RESET:
                self.resets.append(job_id)
        return _ack(command.message_id, device)


def _ack(message_id: str, device: str) -> Acknowledgement:
    return Acknowledgement(message_id=message_id, device=device, response=AckResponse.ACK)


class RecordingSink:
    """A MessageSink that keeps what was produced and counts flushes."""

    def __init__(self) -> None:
        self.produced: list[tuple[str, bytes]] = []
        self.flushes = 0
        self.closed = False

    def produce(self, topic: str, value: bytes, *, key: bytes | None = None) -> None:
        self.produced.append((topic, value))

    def flush(self, timeout_s: float = 3.0) -> int:
        self.flushes += 1
        return 0

    def close(self, timeout_s: float = 5.0) -> None:
        self.closed = True

    def commands(self) -> list[WorkflowConfig | JobCommand]:
        return [decode_command(value) for topic, value in self.produced if "commands" in topic]
