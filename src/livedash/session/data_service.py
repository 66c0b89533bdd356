"""This session's bounded cache of the latest results of the current generations.

Results are stored under the stable :class:`DataKey` (workflow, source, output); the
job_number of a result only acts as a generation token (PROTOCOL.md 2.2):

- Admission filter: a result is stored only if its job_number is the current generation
  of its workflow (asked of the job service); anything else is counted as stale and
  dropped.
- When a workflow's generation changes to another job_number, its entries are cleared
  (on the first result of the new generation, or at once by :meth:`sync_generations`,
  which the pump calls when the job service's version changed). When a workflow stops
  (no generation) its last results stay, so plots keep showing the final state.
- Interest: :meth:`interest` sets the keys this session displays; :meth:`wants` lets
  the pump skip decoding anything else. ``None`` means everything; the initial set is
  empty, so a session that shows nothing decodes nothing.
- ``series`` outputs (temporality ``series`` with a datetime64 ``time`` axis) are
  appended to a history of at most ``max_series_points`` samples instead of replaced.
- A reset acknowledged by the backend (whoever sent it) restarted the accumulation of
  its jobs, so :meth:`clear_results` drops their cached results; the generation stays,
  and its next results are stored as usual.

Memory bound: at most ``max_entries`` (256) entries and ``max_bytes`` (64 MiB, measured
with scipp's ``__sizeof__``, which counts the array buffers) in all; the least recently
updated entries are evicted first, and a single result larger than ``max_bytes`` is
dropped (counted as oversized).

Versions: every store or clear bumps :attr:`version` and the key's :meth:`version_of`;
readers compare with ``!=`` and pull what changed.

Concurrency: the pump thread calls :meth:`wants`, :meth:`add`, :meth:`sync_generations`
and :meth:`clear_results`; the UI thread calls :meth:`interest` and the readers. One lock
guards the entries, the interest set, the generations and the counters. The job service
is asked before the lock is taken, never while it is held.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

import scipp as sc

from ..protocol.da00 import Da00Message
from ..protocol.ids import JobId, ResultKey, WorkflowId
from .series import MAX_SERIES_POINTS, append_series, is_series

MAX_ENTRIES = 256
MAX_BYTES = 64 * 1024 * 1024


class GenerationSource(Protocol):
    """What the data service needs from the job service."""

    def is_current(self, workflow_id: WorkflowId, job_number: uuid.UUID) -> bool: ...

    def generations(self) -> dict[WorkflowId, uuid.UUID | None]: ...


@dataclass(frozen=True)
class DataKey:
    """A result's stable identity across generations."""

    workflow_id: WorkflowId
    source_name: str
    output_name: str

    @classmethod
    def from_result_key(cls, key: ResultKey) -> DataKey:
        return cls(key.workflow_id, key.job_id.source_name, key.output_name)


@dataclass(frozen=True)
class CachedResult:
    """The latest result (or series history) of one key."""

    key: DataKey
    job_number: uuid.UUID
    data: sc.DataArray
    timestamp_ns: int
    received_at: float
    version: int
    nbytes: int


class DataService:
    """Bounded cache of current-generation results (see the module docstring)."""

    def __init__(
        self,
        *,
        generations: GenerationSource,
        series_outputs: Collection[tuple[WorkflowId, str]] = (),
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
        max_series_points: int = MAX_SERIES_POINTS,
    ) -> None:
        if max_entries < 1 or max_bytes < 1 or max_series_points < 1:
            raise ValueError(
                "max_entries, max_bytes and max_series_points must be positive, got "
                f"{max_entries!r}, {max_bytes!r}, {max_series_points!r}"
            )
        self._generations = generations
        self._series = frozenset(series_outputs)
        self._clock = clock
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._max_series_points = max_series_points
        self._lock = threading.Lock()
        self._entries: OrderedDict[DataKey, CachedResult] = OrderedDict()
        self._bytes = 0
        self._workflow_generation: dict[WorkflowId, uuid.UUID] = {}
        self._key_versions: dict[DataKey, int] = {}
        self._interest: frozenset[DataKey] | None = frozenset()
        self._version = 0
        self._counts = dict.fromkeys(
            (
                "stored",
                "stale_dropped",
                "oversized_dropped",
                "evicted",
                "series_restarts",
                "cleared_by_reset",
            ),
            0,
        )

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    def interest(self, keys: Iterable[DataKey] | None) -> None:
        """Set the keys this session displays (None: every key)."""
        with self._lock:
            self._interest = None if keys is None else frozenset(keys)

    def wants(self, key: ResultKey) -> bool:
        """Whether a result with ``key`` would be stored and shown: decode it only then."""
        with self._lock:
            interest = self._interest
        if interest is not None and DataKey.from_result_key(key) not in interest:
            return False
        return self._generations.is_current(key.workflow_id, key.job_id.job_number)

    def add(self, key: ResultKey, message: Da00Message) -> bool:
        """Store one decoded result; False if it was dropped (stale or oversized)."""
        data_key = DataKey.from_result_key(key)
        job_number = key.job_id.job_number
        if not self._generations.is_current(key.workflow_id, job_number):
            with self._lock:
                self._counts["stale_dropped"] += 1
            return False
        with self._lock:
            if self._workflow_generation.get(key.workflow_id) != job_number:
                self._clear_workflow(key.workflow_id)
                self._workflow_generation[key.workflow_id] = job_number
            data = self._merge(data_key, message.data)
            nbytes = sys.getsizeof(data)
            if nbytes > self._max_bytes:
                self._counts["oversized_dropped"] += 1
                return False
            self._remove(data_key)
            self._version += 1
            self._entries[data_key] = CachedResult(
                key=data_key,
                job_number=job_number,
                data=data,
                timestamp_ns=message.timestamp_ns,
                received_at=self._clock(),
                version=self._version,
                nbytes=nbytes,
            )
            self._bytes += nbytes
            self._key_versions[data_key] = self._version
            self._counts["stored"] += 1
            self._evict()
        return True

    def sync_generations(self) -> None:
        """Clear every workflow whose generation moved on to another job_number."""
        current = self._generations.generations()
        with self._lock:
            for workflow_id, held in list(self._workflow_generation.items()):
                now = current.get(workflow_id)
                if now is not None and now != held:
                    self._clear_workflow(workflow_id)
                    self._workflow_generation[workflow_id] = now

    def clear_results(
        self, *, job_id: JobId | None = None, workflow_id: WorkflowId | None = None
    ) -> int:
        """Drop the cached results of ``job_id``, else of every job of ``workflow_id``,
        else (both None) of everything; how many entries were dropped.

        The target is read as in a reset ``JobCommand``. Versions of the dropped keys are
        bumped so readers notice.
        """
        with self._lock:
            if job_id is not None:
                doomed = [
                    key
                    for key, entry in self._entries.items()
                    if key.source_name == job_id.source_name
                    and entry.job_number == job_id.job_number
                ]
            else:
                doomed = [
                    key
                    for key in self._entries
                    if workflow_id is None or key.workflow_id == workflow_id
                ]
            self._drop(doomed)
            self._counts["cleared_by_reset"] += len(doomed)
        return len(doomed)

    def get(self, key: DataKey) -> CachedResult | None:
        with self._lock:
            return self._entries.get(key)

    def version_of(self, key: DataKey) -> int:
        """The version of ``key``'s last store or clear (0 if never seen)."""
        with self._lock:
            return self._key_versions.get(key, 0)

    def keys(self) -> list[DataKey]:
        with self._lock:
            return list(self._entries)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {**self._counts, "entries": len(self._entries), "bytes": self._bytes}

    def _merge(self, key: DataKey, data: sc.DataArray) -> sc.DataArray:
        if (key.workflow_id, key.output_name) not in self._series or not is_series(data):
            return data
        previous = self._entries.get(key)
        merged, restarted = append_series(
            None if previous is None else previous.data, data, max_points=self._max_series_points
        )
        if restarted:
            self._counts["series_restarts"] += 1
        return merged

    def _clear_workflow(self, workflow_id: WorkflowId) -> None:
        self._drop([k for k in self._entries if k.workflow_id == workflow_id])

    def _drop(self, doomed: list[DataKey]) -> None:
        if not doomed:
            return
        self._version += 1
        for key in doomed:
            self._remove(key)
            self._key_versions[key] = self._version

    def _remove(self, key: DataKey) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.nbytes

    def _evict(self) -> None:
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            key, entry = self._entries.popitem(last=False)
            self._bytes -= entry.nbytes
            self._version += 1
            self._key_versions[key] = self._version
            self._counts["evicted"] += 1
        # Versions of keys no longer cached are kept for a while so readers notice the
        # removal; bounded so that a stream of distinct keys cannot grow it forever.
        if len(self._key_versions) > 4 * self._max_entries:
            self._key_versions = {k: v for k, v in self._key_versions.items() if k in self._entries}
