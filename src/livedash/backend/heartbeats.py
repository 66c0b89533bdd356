"""x5f2 heartbeats of the simulated services and their jobs (PROTOCOL.md 5).

Each simulated service is one worker with its own ``worker_id`` (uuid4) and
``started_at``. Every beat publishes one job heartbeat per job of the worker, whatever
its state, then the worker's service heartbeat (``running``, ``active_job_count`` = all
jobs, ``batch_interval_s`` = the update interval). ``stream_stats`` are attached once
per stats window (~30 s), counting the raw messages the real service would have read
from its input topics. The final beat at shutdown re-stamps every job ``stopped`` and
reports the service ``stopped``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from livedash.protocol.status import (
    JobState,
    ServiceState,
    ServiceStatus,
    StreamStat,
    StreamStats,
    encode_job_status,
    encode_service_status,
)

from .jobs import JobManager
from .synth.registry import family_for


@dataclass(frozen=True)
class RawStream:
    """One raw input stream the real service would consume, and its message rate."""

    topic: str
    source_name: str
    rate_hz: float


@dataclass
class SimulatedWorker:
    """One simulated backend service process: identity, jobs and raw input streams."""

    instrument: str
    service_name: str
    jobs: JobManager
    started_at_ns: int
    worker_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    raw_streams: list[RawStream] = field(default_factory=list)

    @classmethod
    def create(cls, *, instrument: str, jobs: JobManager, started_at_ns: int) -> SimulatedWorker:
        streams: dict[tuple[str, str], RawStream] = {}
        for spec in jobs.owned_workflows():
            family = family_for(spec)
            topic = f"{instrument}_{family.raw_topic_suffix}"
            for source in spec.source_names:
                streams.setdefault((topic, source), RawStream(topic, source, family.raw_rate_hz))
        return cls(
            instrument=instrument,
            service_name=jobs.service_name,
            jobs=jobs,
            started_at_ns=started_at_ns,
            raw_streams=list(streams.values()),
        )


class _StatsWindow:
    """Accumulates simulated raw message counts until a stats window is complete."""

    def __init__(self, *, window_s: float, opened_at: float) -> None:
        self._window_s = window_s
        self._opened_at = opened_at

    def drain_if_due(self, worker: SimulatedWorker, now: float) -> StreamStats | None:
        elapsed = now - self._opened_at
        if elapsed < self._window_s:
            return None
        self._opened_at = now
        return StreamStats(
            window_seconds=elapsed,
            streams=[
                StreamStat(
                    topic=stream.topic,
                    source_name=stream.source_name,
                    stream=stream.source_name,
                    count=round(stream.rate_hz * elapsed),
                )
                for stream in worker.raw_streams
            ],
        )


class HeartbeatBuilder:
    """Builds the heartbeat messages of every simulated worker.

    ``now`` arguments are monotonic seconds (for the stats windows); the envelope's
    host and pid are the fake backend's own.
    """

    def __init__(
        self,
        *,
        workers: list[SimulatedWorker],
        host_name: str,
        process_id: int,
        software_version: str,
        batch_interval_s: float,
        stats_window_s: float,
        now: float,
    ) -> None:
        self._workers = workers
        self._host_name = host_name
        self._process_id = process_id
        self._software_version = software_version
        self._batch_interval_s = batch_interval_s
        self._stats = {
            worker.worker_id: _StatsWindow(window_s=stats_window_s, opened_at=now)
            for worker in workers
        }

    def beat(self, now: float) -> list[bytes]:
        """One regular beat: job heartbeats then the service heartbeat, per worker."""
        messages: list[bytes] = []
        for worker in self._workers:
            messages.extend(self._job_beats(worker, state=None))
            stats = self._stats[worker.worker_id].drain_if_due(worker, now)
            messages.append(self._service_beat(worker, ServiceState.RUNNING, stats))
        return messages

    def final(self) -> list[bytes]:
        """The shutdown beat: every job ``stopped``, every service ``stopped``."""
        messages: list[bytes] = []
        for worker in self._workers:
            messages.extend(self._job_beats(worker, state=JobState.STOPPED))
            messages.append(self._service_beat(worker, ServiceState.STOPPED, None))
        return messages

    def _job_beats(self, worker: SimulatedWorker, *, state: JobState | None) -> list[bytes]:
        return [
            encode_job_status(
                job.status(state=state),
                host_name=self._host_name,
                process_id=self._process_id,
                software_version=self._software_version,
            )
            for job in worker.jobs
        ]

    def _service_beat(
        self, worker: SimulatedWorker, state: ServiceState, stats: StreamStats | None
    ) -> bytes:
        status = ServiceStatus(
            instrument=worker.instrument,
            service_name=worker.service_name,
            worker_id=worker.worker_id,
            state=state,
            started_at=worker.started_at_ns,
            active_job_count=len(worker.jobs),
            batch_interval_s=self._batch_interval_s,
            stream_stats=stats,
        )
        return encode_service_status(
            status,
            host_name=self._host_name,
            process_id=self._process_id,
            software_version=self._software_version,
        )
