"""Every client's commands and their acknowledgements -> job state and cached results.

The backend sends no heartbeat for a job stopped by command: the job just disappears
(PROTOCOL.md 5.2). A reset restarts a job's accumulation with no sign on the data topic.
A session that only read heartbeats would notice another session's stop after the 60 s
job staleness, so every session also reads the commands topic:

- a ``stop`` or ``reset`` :class:`JobCommand` is recorded by ``message_id`` with its
  target (a job_id, a workflow selector, or every job) and whether this session sent it
  (the orchestrator notes its own message_ids before sending, :meth:`note_sent`);
- when an ``ACK`` with that message_id arrives, the target its ``device`` names is
  applied, once: ``str(job_id)`` picks a by-job target, ``"all"`` the selector targets.
  A stop marks the jobs stopped in the job service; a reset clears their cached results
  in the data service. An ``ERR`` changes nothing, and neither does a command nobody
  acknowledges (no backend acted on it);
- WorkflowConfig, pause and resume commands are only counted: adoption stays
  heartbeat-driven, and the backend refuses pause and resume;
- an ack may be delivered before its command (Kafka orders messages per partition, not
  across topics), so an ACK that matches no recorded target is kept for ``early_ack_s``
  (5 s) and applied when its command shows up.

Toasts are not this class's concern: acks also reach the pending commands, which notify
only the session that sent the command.

Memory: recorded commands and own message_ids expire ``ttl_s`` (30 s, as pending commands
do) after they were seen, each table holds at most ``max_entries`` (oldest evicted), and
at most ``max_early_acks`` early acks are kept.

Concurrency: the orchestrator calls :meth:`note_sent` (UI thread, under its own lock);
the pump thread calls :meth:`on_command`, :meth:`on_ack` and :meth:`expire`. One lock
guards the tables and counters; the job and data services are called after it is
released (they take their own locks and never call back).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..protocol.acks import Acknowledgement, AckResponse
from ..protocol.commands import JobAction, JobCommand, WorkflowConfig
from ..protocol.ids import JobId, WorkflowId

OBSERVED_COMMAND_TTL_S = 30.0
EARLY_ACK_S = 5.0
MAX_OBSERVED = 1024
MAX_EARLY_ACKS = 256
SELECTOR_DEVICE = "all"

_FOLLOWED = frozenset({JobAction.STOP, JobAction.RESET})
_KINDS = ("workflow_config", *(action.value for action in JobAction))


class StopTarget(Protocol):
    def on_stopped_by_command(
        self, *, job_id: JobId | None, workflow_id: WorkflowId | None, own: bool
    ) -> int: ...


class ResetTarget(Protocol):
    def clear_results(
        self, *, job_id: JobId | None = None, workflow_id: WorkflowId | None = None
    ) -> int: ...


@dataclass
class _Target:
    action: JobAction
    job_id: JobId | None
    workflow_id: WorkflowId | None
    applied: bool = False

    @property
    def device(self) -> str:
        """The ``device`` of the ack that answers this target (PROTOCOL.md 4)."""
        return SELECTOR_DEVICE if self.job_id is None else str(self.job_id)


@dataclass
class _Observed:
    own: bool
    seen_at: float
    targets: list[_Target] = field(default_factory=list)


@dataclass(frozen=True)
class _Due:
    target: _Target
    own: bool


class CommandObserver:
    """Follows acknowledged stops and resets of every client (see the module docstring)."""

    def __init__(
        self,
        *,
        jobs: StopTarget,
        results: ResetTarget,
        clock: Callable[[], float] = time.monotonic,
        ttl_s: float = OBSERVED_COMMAND_TTL_S,
        early_ack_s: float = EARLY_ACK_S,
        max_entries: int = MAX_OBSERVED,
        max_early_acks: int = MAX_EARLY_ACKS,
    ) -> None:
        if max_entries < 1 or max_early_acks < 1:
            raise ValueError(
                "max_entries and max_early_acks must be at least 1, "
                f"got {max_entries!r}, {max_early_acks!r}"
            )
        self._jobs = jobs
        self._results = results
        self._clock = clock
        self._ttl_s = ttl_s
        self._early_ack_s = early_ack_s
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._observed: OrderedDict[str, _Observed] = OrderedDict()
        self._own: OrderedDict[str, float] = OrderedDict()
        self._early: deque[tuple[float, Acknowledgement]] = deque(maxlen=max_early_acks)
        self._counts = dict.fromkeys(
            [f"{kind}_{who}" for kind in _KINDS for who in ("own", "foreign")]
            + ["stops_applied", "resets_applied", "acks_refused", "acks_early", "expired"],
            0,
        )

    def note_sent(self, command: WorkflowConfig | JobCommand) -> None:
        """This session is about to send ``command``: its message_id is its own."""
        now = self._clock()
        with self._lock:
            self._own[command.message_id] = now
            self._own.move_to_end(command.message_id)
            while len(self._own) > self._max_entries:
                self._own.popitem(last=False)

    def on_command(self, command: WorkflowConfig | JobCommand) -> bool:
        """Record one command from the topic; True if it is a stop or reset to follow."""
        now = self._clock()
        with self._lock:
            message_id = command.message_id
            own = message_id in self._own
            kind = "workflow_config" if isinstance(command, WorkflowConfig) else command.action
            self._counts[f"{kind}_{'own' if own else 'foreign'}"] += 1
            entry = self._observed.get(message_id)
            if entry is None:
                # Recorded even when not followed, so that its acks are known.
                entry = self._observed[message_id] = _Observed(own=own, seen_at=now)
                while len(self._observed) > self._max_entries:
                    self._observed.popitem(last=False)
            followed = isinstance(command, JobCommand) and command.action in _FOLLOWED
            if not followed:
                self._take_early(message_id)  # acks of a command not followed: nothing to do
                return False
            entry.targets.append(_Target(command.action, command.job_id, command.workflow_id))
            due = [d for ack in self._take_early(message_id) for d in self._match(entry, ack)]
        self._apply(due)
        return True

    def on_ack(self, ack: Acknowledgement) -> bool:
        """Apply what ``ack`` confirms; False if it confirmed nothing (yet)."""
        now = self._clock()
        with self._lock:
            entry = self._observed.get(ack.message_id)
            if ack.response is not AckResponse.ACK:
                if entry is not None and entry.targets:
                    self._counts["acks_refused"] += 1
                return False
            due = [] if entry is None else self._match(entry, ack)
            if not due and (entry is None or not _answered(entry, ack)):
                self._early.append((now, ack))
                self._counts["acks_early"] += 1
        self._apply(due)
        return bool(due)

    def expire(self) -> None:
        """Forget commands and own message_ids older than ``ttl_s``, early acks too."""
        now = self._clock()
        with self._lock:
            while self._observed:
                entry = next(iter(self._observed.values()))
                if now - entry.seen_at < self._ttl_s:
                    break
                self._observed.popitem(last=False)
                self._counts["expired"] += 1
            while self._own and now - next(iter(self._own.values())) >= self._ttl_s:
                self._own.popitem(last=False)
            while self._early and now - self._early[0][0] >= self._early_ack_s:
                self._early.popleft()

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                **self._counts,
                "observed": len(self._observed),
                "own_ids": len(self._own),
                "early_acks_held": len(self._early),
            }

    def _match(self, entry: _Observed, ack: Acknowledgement) -> list[_Due]:
        due = [t for t in entry.targets if t.device == ack.device and not t.applied]
        for target in due:
            target.applied = True
        return [_Due(target, entry.own) for target in due]

    def _take_early(self, message_id: str) -> list[Acknowledgement]:
        mine = [ack for _, ack in self._early if ack.message_id == message_id]
        if mine:
            kept = [(t, ack) for t, ack in self._early if ack.message_id != message_id]
            self._early.clear()
            self._early.extend(kept)
        return mine

    def _apply(self, due: list[_Due]) -> None:
        for item in due:
            target = item.target
            if target.action is JobAction.STOP:
                self._jobs.on_stopped_by_command(
                    job_id=target.job_id, workflow_id=target.workflow_id, own=item.own
                )
                counter = "stops_applied"
            else:
                self._results.clear_results(job_id=target.job_id, workflow_id=target.workflow_id)
                counter = "resets_applied"
            with self._lock:
                self._counts[counter] += 1


def _answered(entry: _Observed, ack: Acknowledgement) -> bool:
    """Whether ``ack`` answers a target already applied, or a command not followed."""
    return not entry.targets or any(t.device == ack.device for t in entry.targets)
