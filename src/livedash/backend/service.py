"""The fake backend's main loop: commands and ROIs in; acks, heartbeats and results out.

One :class:`FakeBackend` stands in for all four real services of an instrument
(detector_data, monitor_data, data_reduction, timeseries; whatever the instrument's
workflows name). It reads the commands and ROI topics through one
:class:`MessageSource` (assigned at the high watermark by the caller, so old commands
are never replayed) and writes acks, heartbeats and results through one
:class:`MessageSink`. Time is injected: ``clock`` (monotonic seconds) paces updates and
heartbeats, ``wall_clock_ns`` stamps windows and heartbeats, so tests drive it with the
in-memory broker and a fake clock.

Threading: every method runs on the caller's thread; :meth:`run` loops until the given
event is set (a signal handler may set it) and then closes. Lifecycle: RUNNING -> CLOSED;
:meth:`close` is idempotent and publishes the final ``stopped`` heartbeats once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from enum import Enum

import numpy as np
import structlog

from livedash import __version__
from livedash.instruments import Instrument
from livedash.kafka.errors import KafkaLayerError
from livedash.kafka.message import Message
from livedash.kafka.transport import MessageSink, MessageSource
from livedash.protocol.acks import encode_ack
from livedash.protocol.commands import decode_command
from livedash.protocol.errors import DecodeError
from livedash.protocol.roi import decode_roi_request
from livedash.protocol.topics import LivedataTopics

from .badinput import BadInputLog
from .faults import FaultPlan, GarbageInjector
from .handler import CommandHandler
from .heartbeats import HeartbeatBuilder, SimulatedWorker
from .jobs import Job, JobManager
from .results import encode_outputs
from .settings import BackendSettings

logger = structlog.get_logger(__name__)

_POLL_MAX_MESSAGES = 100
_MAX_POLL_TIMEOUT_S = 0.1
_CLOSE_FLUSH_TIMEOUT_S = 5.0


class BackendState(Enum):
    RUNNING = "running"
    CLOSED = "closed"


class BackendTopics(LivedataTopics):
    """The livedata topics of one instrument, plus which of them the fake backend reads."""

    @property
    def inputs(self) -> list[str]:
        return [self.commands, self.roi]


class FakeBackend:
    """Simulates every backend service of one instrument on the live-data topics."""

    def __init__(
        self,
        *,
        instrument: Instrument,
        settings: BackendSettings,
        source: MessageSource,
        sink: MessageSink,
        clock: Callable[[], float] = time.monotonic,
        wall_clock_ns: Callable[[], int] = time.time_ns,
        host_name: str | None = None,
        process_id: int | None = None,
    ) -> None:
        if settings.instrument != instrument.name:
            raise ValueError(
                f"settings are for instrument {settings.instrument!r}, not {instrument.name!r}"
            )
        faults = FaultPlan(
            fail_workflows=settings.fail_workflows, warn_workflows=settings.warn_workflows
        )
        faults.check_known(spec.id.name for spec in instrument.workflows.values())
        self.topics = BackendTopics.for_instrument(instrument.name)
        self._settings = settings
        self._source = source
        self._sink = sink
        self._clock = clock
        self._wall_clock_ns = wall_clock_ns
        seed = np.random.SeedSequence(settings.seed)
        started_at = wall_clock_ns()
        self.workers = [
            SimulatedWorker.create(
                instrument=instrument.name,
                jobs=JobManager(
                    instrument=instrument,
                    service_name=service,
                    faults=faults,
                    seed=seed.spawn(1)[0],
                ),
                started_at_ns=started_at,
            )
            for service in _services(instrument)
        ]
        self._handler = CommandHandler(managers=[worker.jobs for worker in self.workers])
        now = clock()
        self._heartbeats = HeartbeatBuilder(
            workers=self.workers,
            host_name=host_name or socket.gethostname(),
            process_id=os.getpid() if process_id is None else process_id,
            software_version=__version__,
            batch_interval_s=settings.update_interval_s,
            stats_window_s=settings.stream_stats_window_s,
            now=now,
        )
        self._garbage = GarbageInjector(
            fraction=settings.garbage_fraction, rng=np.random.default_rng(seed.spawn(1)[0])
        )
        self.bad_input = BadInputLog()
        self.produced_messages: Counter[str] = Counter()
        self.produced_bytes: Counter[str] = Counter()
        self._next_update = now + settings.update_interval_s
        self._next_heartbeat = now
        self._state = BackendState.RUNNING
        logger.info(
            "fake_backend_started",
            instrument=instrument.name,
            services={worker.service_name: worker.worker_id for worker in self.workers},
            update_interval_s=settings.update_interval_s,
            heartbeat_interval_s=settings.heartbeat_interval_s,
        )

    @property
    def state(self) -> BackendState:
        return self._state

    @property
    def garbage_injected(self) -> dict[str, int]:
        return dict(self._garbage.injected)

    def jobs(self) -> list[Job]:
        """Every job of every simulated service."""
        return [job for worker in self.workers for job in worker.jobs]

    def step(self, timeout_s: float = 0.0) -> None:
        """Handle what arrived within ``timeout_s``, then publish whatever is due."""
        if self._state is BackendState.CLOSED:
            raise RuntimeError("the fake backend is closed")
        for message in self._source.poll_batch(
            max_messages=_POLL_MAX_MESSAGES, timeout_s=timeout_s
        ):
            self._route(message)
        now = self._clock()
        if now >= self._next_update:
            self._publish_results()
            self._next_update = _next_deadline(
                self._next_update, self._settings.update_interval_s, now
            )
        if now >= self._next_heartbeat:
            for value in self._heartbeats.beat(now):
                self._produce_garbled(self.topics.status, "status", value)
            self._next_heartbeat = _next_deadline(
                self._next_heartbeat, self._settings.heartbeat_interval_s, now
            )

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop`` is set, then :meth:`close` (final heartbeats)."""
        try:
            while not stop.is_set():
                wait = min(self._next_update, self._next_heartbeat) - self._clock()
                self.step(timeout_s=min(max(wait, 0.0), _MAX_POLL_TIMEOUT_S))
        finally:
            self.close()

    def close(self) -> None:
        """Publish the final ``stopped`` heartbeats, flush, close source and sink."""
        if self._state is BackendState.CLOSED:
            return
        self._state = BackendState.CLOSED
        try:
            # Never garbled: readers must be able to see that the services went away.
            for value in self._heartbeats.final():
                self._produce(self.topics.status, value)
            remaining = self._sink.flush(_CLOSE_FLUSH_TIMEOUT_S)
            if remaining:
                logger.warning("fake_backend_unflushed_messages", remaining=remaining)
        except KafkaLayerError as err:
            # Closing after a fatal Kafka error: the final heartbeats cannot go out.
            logger.error("fake_backend_final_heartbeats_lost", error=str(err))
        finally:
            self._source.close()
            self._sink.close()
            logger.info(
                "fake_backend_stopped",
                produced_messages=dict(self.produced_messages),
                produced_bytes=dict(self.produced_bytes),
                bad_input=dict(self.bad_input.counts),
                garbage_injected=self.garbage_injected,
            )

    def _route(self, message: Message) -> None:
        value = message.value
        if not isinstance(value, bytes | bytearray):
            self.bad_input.record(f"{message.topic}:empty", topic=message.topic)
            return
        try:
            if message.topic == self.topics.commands:
                self._on_command(bytes(value))
            elif message.topic == self.topics.roi:
                self._on_roi(bytes(value))
            else:
                self.bad_input.record("unexpected_topic", topic=message.topic)
        except Exception as err:  # noqa: BLE001 - one bad message must never stop the backend
            self.bad_input.record(
                f"{message.topic}:unhandled", error=repr(err), exc_info=True, size=len(value)
            )

    def _on_command(self, value: bytes) -> None:
        try:
            command = decode_command(value)
        except DecodeError as err:
            # The real services log and skip such commands without an ack.
            self.bad_input.record("command:undecodable", reason=err.reason, size=len(value))
            return
        for ack in self._handler.handle(command, now_ns=self._wall_clock_ns()):
            self._produce(self.topics.responses, encode_ack(ack))

    def _on_roi(self, value: bytes) -> None:
        try:
            job_id, geometry, rois = decode_roi_request(value)
        except DecodeError as err:
            self.bad_input.record("roi:undecodable", reason=err.reason, size=len(value))
            return
        for job in self.jobs():
            if job.job_id == job_id and job.rois is not None:
                try:
                    job.rois.update(geometry, rois)
                except ValueError as err:
                    self.bad_input.record("roi:invalid", job_id=str(job_id), reason=str(err))
                return
        # Upstream routes ROIs as a job's aux stream: without such a job nobody reads it.
        self.bad_input.record("roi:unknown_job", job_id=str(job_id), geometry=geometry)

    def _publish_results(self) -> None:
        now_ns = self._wall_clock_ns()
        for job in self.jobs():
            outputs = job.step(now_ns)
            if not outputs:
                continue
            for value in encode_outputs(job, outputs):
                self._produce_garbled(self.topics.data, "data", value)

    def _produce_garbled(self, topic: str, kind: str, value: bytes) -> None:
        for item in self._garbage.apply(kind, value):
            self._produce(topic, item)

    def _produce(self, topic: str, value: bytes) -> None:
        self._sink.produce(topic, value)
        self.produced_messages[topic] += 1
        self.produced_bytes[topic] += len(value)


def _services(instrument: Instrument) -> list[str]:
    """The service names of the instrument's workflows, in first-seen order."""
    return list(dict.fromkeys(spec.service for spec in instrument.workflows.values()))


def _next_deadline(previous: float, interval: float, now: float) -> float:
    """The next deadline on the ``previous + k * interval`` grid that lies after ``now``.

    Late ticks are skipped rather than replayed in a burst.
    """
    deadline = previous + interval
    if deadline <= now:
        deadline = now + interval - ((now - previous) % interval)
    return deadline
