"""Run-time settings of the fake backend, validated once at construction."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class BackendSettings:
    """What a fake-backend process simulates and how fast.

    ``update_interval_s`` is the period of result emission per job (the real backend's
    batch window starts at 1 s); ``heartbeat_interval_s`` the period of job and service
    heartbeats (2 s upstream). ``fail_workflows`` and ``warn_workflows`` hold workflow
    *names* (``panel_0_xy``) whose jobs go to ``error`` or ``warning``.
    ``garbage_fraction`` is the share of data and status messages replaced by or
    interleaved with garbage bytes. ``seed`` makes the synthetic data reproducible.
    """

    instrument: str
    update_interval_s: float = 1.0
    heartbeat_interval_s: float = 2.0
    stream_stats_window_s: float = 30.0
    fail_workflows: frozenset[str] = field(default_factory=frozenset)
    warn_workflows: frozenset[str] = field(default_factory=frozenset)
    garbage_fraction: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if not self.instrument:
            raise ValueError("instrument must not be empty")
        for name in ("update_interval_s", "heartbeat_interval_s", "stream_stats_window_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} must be positive, got {value!r}")
        if not 0.0 <= self.garbage_fraction <= 1.0:
            raise ValueError(
                f"garbage_fraction must be within [0, 1], got {self.garbage_fraction!r}"
            )
