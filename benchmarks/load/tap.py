"""The benchmark's own view of the broker: what the backend published, and when
dashboard sessions stopped.

:class:`Tap` runs one consumer thread on the data and status topics (from their end):

- every result of a scenario plot is decoded and fingerprinted
  (:mod:`.fingerprints`), with its Kafka timestamp (the backend's produce time), so an
  update drawn in a browser can be traced back to the moment it was published;
- every ``dashboard_session`` heartbeat is recorded by session (service id): when it
  said ``stopped`` (Kafka timestamp), and the last state it reported.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import structlog

from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import ResultKey
from livedash.protocol.results import decode_result, peek_result_key
from livedash.protocol.status import ServiceState, ServiceStatus, decode_status
from livedash.session.topics import SessionTopics

from .fingerprints import Published, result_fingerprint
from .scenario import PLOTS, PlotSpec

logger = structlog.get_logger(__name__)

SESSION_SERVICE = "dashboard_session"


def _now_ms() -> float:
    return time.time() * 1000.0


class Tap:
    """Consumer thread recording published results and session heartbeats."""

    def __init__(self, settings: KafkaSettings, instrument: str) -> None:
        self._topics = SessionTopics.for_instrument(instrument)
        self._plots: dict[tuple[str, str, str], PlotSpec] = {
            (p.workflow, p.source, p.output): p for p in PLOTS
        }
        self._consumer = AssignedConsumer.create(
            settings,
            topics=[self._topics.data, self._topics.status],
            group_prefix="livedash-load-tap",
            start="end",
        )
        self._lock = threading.Lock()
        self._published: dict[str, list[Published]] = defaultdict(list)
        self._session_state: dict[str, str] = {}
        self._session_seen_ms: dict[str, float] = {}
        self._session_stopped_ms: dict[str, float] = {}
        self._errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-tap", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10.0)
        self._consumer.close()

    # -- readers -------------------------------------------------------------------

    def published(self, plot: str) -> list[Published]:
        with self._lock:
            return list(self._published.get(plot, ()))

    def sessions(self) -> dict[str, str]:
        """Every session heard of: service id -> last reported state."""
        with self._lock:
            return dict(self._session_state)

    def live_sessions(self, *, within_s: float = 6.0) -> set[str]:
        """Sessions whose last heartbeat (not ``stopped``) is recent."""
        cutoff = _now_ms() - within_s * 1000.0
        with self._lock:
            return {
                sid
                for sid, state in self._session_state.items()
                if state != ServiceState.STOPPED and self._session_seen_ms[sid] >= cutoff
            }

    def stopped_at(self) -> dict[str, float]:
        """Session service id -> Kafka time (ms) of its ``stopped`` heartbeat."""
        with self._lock:
            return dict(self._session_stopped_ms)

    @property
    def errors(self) -> int:
        return self._errors

    # -- the thread ----------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                batch = self._consumer.poll_batch(max_messages=500, timeout_s=0.1)
            except Exception:
                logger.exception("load_tap_poll_failed")
                self._errors += 1
                time.sleep(0.5)
                continue
            for message in batch:
                kafka_ms = float(message.timestamp_ms) if message.timestamp_ms else _now_ms()
                try:
                    if message.topic == self._topics.data:
                        self._on_result(message.value, kafka_ms)
                    elif message.topic == self._topics.status:
                        self._on_status(message.value, kafka_ms)
                except (DecodeError, ValueError, TypeError, KeyError):
                    self._errors += 1

    def _on_result(self, value: bytes, kafka_ms: float) -> None:
        key: ResultKey = peek_result_key(value)
        plot = self._plots.get((key.workflow_id.name, key.job_id.source_name, key.output_name))
        if plot is None:
            return
        received_ms = _now_ms()
        _, message = decode_result(value)
        fingerprint = result_fingerprint(plot, message.data)
        if fingerprint is None:
            return
        with self._lock:
            results = self._published[plot.name]
            results.append(
                Published(
                    index=len(results),
                    publish_ms=kafka_ms,
                    received_ms=received_ms,
                    fingerprint=fingerprint,
                )
            )

    def _on_status(self, value: bytes, kafka_ms: float) -> None:
        status = decode_status(value).status
        if not isinstance(status, ServiceStatus) or status.service_name != SESSION_SERVICE:
            return
        sid = status.service_id
        with self._lock:
            self._session_state[sid] = str(status.state)
            self._session_seen_ms[sid] = kafka_ms
            if status.state == ServiceState.STOPPED:
                self._session_stopped_ms.setdefault(sid, kafka_ms)
