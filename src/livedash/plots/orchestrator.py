"""Grids -> layers -> subscriptions -> plot states, on the session's pump thread.

:class:`PlotOrchestrator` keeps, for every layer of the current
:class:`~livedash.plots.model.GridSet`, a :class:`LayerSubscription` (its data keys,
bound to its roles' job generations), a :class:`LayerStateMachine` and the last
:class:`~livedash.plots.state.PlotState`:

- :meth:`sync` applies a configuration: layers that disappeared are dropped with their
  subscriptions, new layer ids get new ones, and the data cache's interest is set to
  exactly the keys of all layers. New layers are evaluated at once, so a layer added
  while its data already streams gets its first plot state in the same call (and only
  once: the inputs' versions are remembered).
- :meth:`tick` (and :meth:`on_data` for the layers reading some keys) evaluates layers:
  a layer is READY only when every role's job runs and every role has data of the
  subscribed generation. A workflow restart (new job number) drops the subscription
  and the plot and subscribes to the new generation; a stop keeps the last plot
  (STOPPED); a job error shows the backend's text (ERROR). When the inputs' versions
  changed, the plotter chosen for the data computes a new plot state.
- :meth:`set_local_params` changes how this session draws a layer (the slicer's index,
  colour limits) without writing the shared configuration.

Readers (the UI's periodic callback) pull :meth:`changed_since` with the versions they
have drawn and get the :class:`LayerView` of every layer that changed since. A reader
that wants to know at once sets a listener (:meth:`set_listener`): it is called on the
pump thread, after :meth:`sync`, :meth:`tick` or :meth:`on_data` published a change, with
no lock held; it must only hand the news over (the session schedules a refresh).

Concurrency: :meth:`sync`, :meth:`tick` and :meth:`on_data` are meant for the pump
thread, :meth:`set_local_params` for the UI thread; ``_update_lock`` serialises all
four, which call the job service and data cache while holding it (neither ever calls
back). Readers take only ``_lock``, which guards the published views, the version and
the counters and is never held while calling out. Plotters run under ``_update_lock``.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from ..protocol.ids import WorkflowId
from ..session.data_service import DataKey
from ..session.workflow_state import WorkflowState
from .layer_state import LayerStateMachine
from .model import GridSet, LayerConfig, PlotterParams
from .plotters import PlotterRegistry
from .state import PlotState
from .subscription import (
    DataView,
    JobsView,
    LayerSubscription,
    RoleJob,
    layer_keys,
    role_jobs,
    target_state,
)
from .views import LayerChanges, LayerView

logger = structlog.get_logger(__name__)

SLOW_COMPUTE_S = 0.1
_MAX_LOGGED = 1024


@dataclass
class _Layer:
    config: LayerConfig
    keys: dict[str, DataKey]
    params: PlotterParams
    machine: LayerStateMachine = dataclasses.field(default_factory=LayerStateMachine)
    subscription: LayerSubscription | None = None
    seen: dict[str, int] = dataclasses.field(default_factory=dict)
    plot: PlotState | None = None
    plot_error: str | None = None
    published: bool = False


class PlotOrchestrator:
    """Keeps every layer's subscription, state and plot (see the module docstring)."""

    def __init__(
        self,
        *,
        jobs: JobsView,
        data: DataView,
        plotters: PlotterRegistry | None = None,
        clock: Callable[[], float] = time.monotonic,
        slow_compute_s: float = SLOW_COMPUTE_S,
    ) -> None:
        self._jobs = jobs
        self._data = data
        self._plotters = plotters or PlotterRegistry()
        self._clock = clock
        self._slow_compute_s = slow_compute_s
        self._update_lock = threading.Lock()
        self._layers: dict[uuid.UUID, _Layer] = {}
        self._interest: frozenset[DataKey] | None = None
        self._lock = threading.Lock()
        self._views: dict[uuid.UUID, LayerView] = {}
        self._version = 0
        self._counts = dict.fromkeys(
            ("computes", "compute_errors", "slow_computes", "subscriptions_made"), 0
        )
        self._logged: set[str] = set()
        self._sizes = {"layers": 0, "subscriptions": 0, "interest": 0}
        self._listener: Callable[[], None] | None = None

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    def set_listener(self, listener: Callable[[], None] | None) -> None:
        """Call ``listener`` after each update that published a change (None: stop)."""
        with self._lock:
            self._listener = listener

    def _notify_since(self, version: int) -> None:
        with self._lock:
            listener = self._listener if self._version != version else None
        if listener is not None:
            try:
                listener()
            except Exception:  # a reader's failure is not the pump's
                logger.exception("plot_listener_failed")

    def sync(self, gridset: GridSet) -> None:
        """Apply ``gridset``: drop removed layers, subscribe new ones, set the interest."""
        wanted = {layer.layer_id: layer for _grid, _cell, layer in gridset.layers()}
        version = self.version
        with self._update_lock:
            dropped = [
                lid
                for lid, held in self._layers.items()
                if lid not in wanted or held.config != wanted[lid]
            ]
            for layer_id in dropped:
                del self._layers[layer_id]
            added = [lid for lid in wanted if lid not in self._layers]
            for layer_id in added:
                config = wanted[layer_id]
                self._layers[layer_id] = _Layer(
                    config=config, keys=layer_keys(config), params=config.params
                )
            interest = frozenset(k for held in self._layers.values() for k in held.keys.values())
            if interest != self._interest:
                self._data.interest(interest)
                self._interest = interest
            with self._lock:
                for layer_id in dropped:
                    self._views.pop(layer_id, None)
                if dropped:
                    self._version += 1
            self._evaluate([self._layers[lid] for lid in added])
        self._notify_since(version)

    def set_local_params(self, layer_id: uuid.UUID, **changes: Any) -> bool:
        """Change how this session draws a layer (slice index, colour limits, ranges ...)
        without touching the shared configuration; recomputes its plot now.

        The change lasts until the layer is replaced. False if there is no such layer;
        ValueError for invalid params.
        """
        with self._update_lock:
            held = self._layers.get(layer_id)
            if held is None:
                return False
            held.params = type(held.params)(**{**dict(held.params), **changes})
            held.seen = {}
            self._evaluate([held])
        return True

    def tick(self) -> None:
        """Evaluate every layer (job states, generations, new data)."""
        version = self.version
        with self._update_lock:
            self._evaluate(list(self._layers.values()))
        self._notify_since(version)

    def on_data(self, keys: Iterable[DataKey] | None = None) -> None:
        """Evaluate the layers reading any of ``keys`` (every layer when None)."""
        if keys is None:
            self.tick()
            return
        touched = set(keys)
        version = self.version
        with self._update_lock:
            self._evaluate(
                [h for h in self._layers.values() if touched.intersection(h.keys.values())]
            )
        self._notify_since(version)

    def view(self, layer_id: uuid.UUID) -> LayerView | None:
        with self._lock:
            return self._views.get(layer_id)

    def changed_since(self, versions: Mapping[uuid.UUID, int]) -> LayerChanges:
        """Views whose version differs from ``versions`` (or that are new), and the ids in
        ``versions`` of layers that no longer exist."""
        with self._lock:
            views, version = dict(self._views), self._version
        return LayerChanges(
            changed={lid: v for lid, v in views.items() if versions.get(lid) != v.version},
            removed=frozenset(lid for lid in versions if lid not in views),
            version=version,
        )

    def stats(self) -> dict[str, int]:
        """Counters and the sizes of the internal maps (as of the last update)."""
        with self._lock:
            return {**self._counts, **self._sizes, "views": len(self._views)}

    def _evaluate(self, layers: list[_Layer]) -> None:
        states: dict[WorkflowId, WorkflowState | None] = {}
        for held in layers:
            before = (held.machine.version, held.plot)
            jobs = role_jobs(self._jobs, held.config, states)
            self._follow_generations(held, jobs)
            self._update_plot(held, jobs)
            state, error = target_state(
                list(jobs.values()), has_plot=held.plot is not None, plot_error=held.plot_error
            )
            held.machine.transition(state, error=error)
            if not held.published or (held.machine.version, held.plot) != before:
                self._publish(held)
        sizes = {
            "layers": len(self._layers),
            "subscriptions": sum(h.subscription is not None for h in self._layers.values()),
            "interest": len(self._interest or ()),
        }
        with self._lock:
            self._sizes = sizes

    def _follow_generations(self, held: _Layer, jobs: dict[str, RoleJob]) -> None:
        generations = {role: job.job_number for role, job in jobs.items()}
        if any(number is None for number in generations.values()):
            return
        current = held.subscription
        if current is not None and dict(current.generations) == generations:
            return
        held.subscription = LayerSubscription(
            layer_id=held.config.layer_id,
            keys=held.keys,
            generations=generations,
        )
        self._count("subscriptions_made")
        held.seen = {}
        held.plot = None
        held.plot_error = None

    def _update_plot(self, held: _Layer, jobs: dict[str, RoleJob]) -> None:
        subscription = held.subscription
        running = all(job.job_number is not None for job in jobs.values())
        if subscription is None or not running:
            return
        if held.plot is not None and subscription.versions(self._data) == held.seen:
            return
        results = subscription.results(self._data)
        if results is None:
            held.plot, held.seen = None, {}
            return
        seen = {role: result.version for role, result in results.items()}
        if seen == held.seen and (held.plot is not None or held.plot_error is not None):
            return
        held.seen = seen
        inputs = {role: result.data for role, result in results.items()}
        config = held.config
        started = self._clock()
        try:
            plotter = self._plotters.choose(config.plotter, inputs)
            state = plotter.compute(inputs, held.params, held.plot)
        except Exception as exc:  # noqa: BLE001 - bad data must not stop the other layers
            self._count("compute_errors")
            held.plot_error = f"Cannot plot this data: {exc}"
            self._log_once(f"compute:{config.layer_id}:{type(exc).__name__}", exc, config)
            return
        elapsed = self._clock() - started
        self._count("computes")
        if elapsed > self._slow_compute_s:
            self._count("slow_computes")
            self._log_once(f"slow:{config.layer_id}", None, config, seconds=round(elapsed, 3))
        held.plot_error = None
        held.plot = dataclasses.replace(
            state, title=config.title or state.title, overlays=config.overlays
        )

    def _publish(self, held: _Layer) -> None:
        held.published = True
        with self._lock:
            self._version += 1
            self._views[held.config.layer_id] = LayerView(
                config=held.config,
                state=held.machine.state,
                error=held.machine.error,
                plot=held.plot,
                version=self._version,
            )

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def _log_once(
        self, token: str, exc: BaseException | None, config: LayerConfig, **context: object
    ) -> None:
        if token in self._logged:
            return
        if len(self._logged) >= _MAX_LOGGED:
            self._logged.clear()
        self._logged.add(token)
        event = "plot_compute_failed" if exc is not None else "plot_compute_slow"
        logger.warning(event, layer_id=str(config.layer_id), error=repr(exc), **context)
