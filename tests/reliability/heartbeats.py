"""Session heartbeats on an instrument's status topic, with their times, per session.

:class:`HeartbeatLog` reads ``{instrument}_livedata_heartbeat`` from its end (or from
the beginning), keeps every ``dashboard_session`` heartbeat with the producer's
timestamp (the Kafka record time, milliseconds since the epoch) and answers questions
the reliability suites ask: which sessions a worker hosts, the longest gap between two
heartbeats of a session, whether a session sent anything after a moment.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.errors import DecodeError
from livedash.protocol.status import ServiceState, ServiceStatus, decode_status
from tests.helpers import wait_until

SESSION_SERVICE = "dashboard_session"


@dataclass(frozen=True)
class SessionBeat:
    """One session heartbeat: when it was produced (epoch s) and what it said."""

    session_id: str
    worker_id: str
    produced_at: float
    state: ServiceState
    active_job_count: int
    visible: bool | None
    browser_heartbeat_age_s: float | None  # None until the page's script reported once


class HeartbeatLog:
    """Every session heartbeat seen since creation, by session id (see module docstring)."""

    def __init__(self, settings: KafkaSettings, instrument: str, *, start: str = "end") -> None:
        self._consumer = AssignedConsumer.create(
            settings,
            topics=[f"{instrument}_livedata_heartbeat"],
            group_prefix="test_reliability_heartbeats",
            start=start,  # type: ignore[arg-type]
        )
        self.beats: dict[str, list[SessionBeat]] = defaultdict(list)

    def poll(self) -> HeartbeatLog:
        """Read what has arrived (call often: nothing reads in the background)."""
        while batch := self._consumer.poll_batch(max_messages=500, timeout_s=0.05):
            for message in batch:
                beat = _session_beat(message.value, message.timestamp_ms)
                if beat is not None:
                    self.beats[beat.session_id].append(beat)
        return self

    def sessions_of(
        self, worker_id: str, *, running: bool = True, with_page: bool = True
    ) -> set[str]:
        """Sessions whose latest heartbeat names ``worker_id`` and says running.

        ``with_page`` (the default) keeps only sessions whose page has reported at least
        once: on a starved machine a page can connect so late that Bokeh serves its
        websocket with a second session; the first one never hears from a page.
        """
        self.poll()
        found = set()
        for session_id, beats in self.beats.items():
            last = beats[-1]
            if last.worker_id != worker_id:
                continue
            if running and last.state is not ServiceState.RUNNING:
                continue
            if with_page and last.browser_heartbeat_age_s is None:
                continue
            found.add(session_id)
        return found

    def beats_between(self, session_id: str, start: float, end: float) -> list[float]:
        """Production times (epoch s) of the session's heartbeats in ``[start, end]``."""
        self.poll()
        return [b.produced_at for b in self.beats[session_id] if start <= b.produced_at <= end]

    def last(self, session_id: str) -> SessionBeat | None:
        self.poll()
        beats = self.beats.get(session_id)
        return beats[-1] if beats else None

    def wait_for(
        self, predicate: Callable[[HeartbeatLog], object], timeout_s: float, message: str = ""
    ) -> object:
        return wait_until(lambda: predicate(self.poll()), timeout_s, 0.1, message=message)

    def close(self) -> None:
        self._consumer.close()


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest stretch of ``[start, end]`` without any of ``times`` (seconds)."""
    points = [start, *sorted(t for t in times if start <= t <= end), end]
    return max(b - a for a, b in itertools.pairwise(points))


def now() -> float:
    """Epoch seconds, comparable with :attr:`SessionBeat.produced_at`."""
    return time.time()


def _session_beat(value: bytes, timestamp_ms: int | None) -> SessionBeat | None:
    try:
        status = decode_status(value).status
    except DecodeError:
        return None
    if not isinstance(status, ServiceStatus) or status.service_name != SESSION_SERVICE:
        return None
    details = status.dashboard or {}
    produced = timestamp_ms / 1000 if timestamp_ms is not None else time.time()
    return SessionBeat(
        session_id=status.worker_id,
        worker_id=str(details.get("worker_id", "")),
        produced_at=produced,
        state=status.state,
        active_job_count=status.active_job_count,
        visible=details.get("visible"),
        browser_heartbeat_age_s=details.get("browser_heartbeat_age_s"),
    )
