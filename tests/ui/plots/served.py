"""A PlotsView with fake live data served by Panel in a thread, for browser checks.

Each browser session gets its own :class:`~.harness.World` with a 2x2 grid: a 128x128
detector image, a monitor histogram with error bars, one slice of 3-D detector data
(with its slider) and a time series. :meth:`LiveDemo.advance` asks every session to
draw the next update; :meth:`LiveDemo.reshape` to send an image of another shape
(a rebuild). The sessions apply those in their periodic callback, inside
``pn.io.hold()`` and ``doc.models.freeze()`` as the real updater does.

Run it directly to look at it: ``python -m tests.ui.plots.served --port 5011``.
"""

from __future__ import annotations

import argparse
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import panel as pn
import scipp as sc

from livedash.plots.model import DataRef, LayerConfig

from .data import LAYERS, MONITOR, PANEL, READINGS, image_data, series, wire
from .harness import World, cell_with, layer, one_grid, ref

PERIOD_MS = 100


@dataclass
class Session:
    world: World
    step: int = 0
    shape_step: int = 0
    actions_done: int = 0


class LiveDemo:
    """The served app and the knobs a browser test turns (thread-safe)."""

    def __init__(self) -> None:
        self.image = layer(ref(PANEL, "panel_0"))
        self.histogram = layer(ref(MONITOR, "monitor1"))
        self.slices = layer(ref(LAYERS, "panel_0"))
        self.readings = layer(ref(READINGS, "motion1", "delta"))
        self._lock = threading.Lock()
        self._steps = 0
        self._shapes = 0
        self._actions: list[Callable[[World], object]] = []
        self.sessions: list[Session] = []

    @property
    def layers(self) -> tuple[LayerConfig, ...]:
        return (self.image, self.histogram, self.slices, self.readings)

    def advance(self) -> int:
        """Every session draws one more ordinary update; the new step number."""
        with self._lock:
            self._steps += 1
            return self._steps

    def reshape(self) -> None:
        """Every session gets an image of another shape (its presenter is rebuilt)."""
        with self._lock:
            self._shapes += 1

    def run(self, action: Callable[[World], object]) -> None:
        """Run ``action(world)`` in every session's next periodic callback (on its
        IOLoop, with the document locked), then refresh."""
        with self._lock:
            self._actions.append(action)

    def app(self) -> pn.viewable.Viewable:
        world = World()
        world.write(
            one_grid(
                cell_with(self.image),
                cell_with(self.histogram, col=1),
                cell_with(self.slices, row=1),
                cell_with(self.readings, row=1, col=1),
                title="Detectors",
            )
        )
        for workflow, source in ((PANEL, "panel_0"), (MONITOR, "monitor1"), (LAYERS, "panel_0")):
            world.start(workflow, source)
        world.start(READINGS, "motion1")
        session = Session(world)
        self._put(session)
        world.refresh()
        with self._lock:
            self.sessions.append(session)
        pn.state.add_periodic_callback(lambda: self._tick(session), period=PERIOD_MS)
        return pn.Column(world.view.panel, sizing_mode="stretch_width")

    def _tick(self, session: Session) -> None:
        with self._lock:
            steps, shapes = self._steps, self._shapes
            actions = self._actions[session.actions_done :]
        if (session.step, session.shape_step) == (steps, shapes) and not actions:
            return
        doc = pn.state.curdoc
        with pn.io.hold(doc), doc.models.freeze():
            if (session.step, session.shape_step) != (steps, shapes):
                session.step, session.shape_step = steps, shapes
                self._put(session)
            for action in actions:
                action(session.world)
            session.actions_done += len(actions)
            session.world.refresh()

    def _put(self, session: Session) -> None:
        world, step = session.world, session.step
        if session.shape_step:
            size = 64 if session.shape_step % 2 else 128
            values = np.random.default_rng(step).poisson(20.0, (size, size)).astype(float)
            world.put(_ref(self.image), image_data(values))
        else:
            world.put(_ref(self.image), wire(PANEL, "panel_0", "cumulative", step % 6))
        world.put(_ref(self.histogram), histogram(step))
        world.put(_ref(self.slices), wire(LAYERS, "panel_0", "cumulative", step % 6))
        world.put(_ref(self.readings), series(steps=min(step, 5) + 1))


def histogram(step: int) -> sc.DataArray:
    """A monitor histogram with few counts, so that its error bars are visible."""
    edges = np.linspace(0.0, 71.4, 61)
    centers = (edges[1:] + edges[:-1]) / 2
    expected = 40 + 400 * np.exp(-0.5 * ((centers - 20.0) / 5.0) ** 2) * (1 + 0.1 * step)
    counts = np.random.default_rng(step).poisson(expected).astype(float)
    values = sc.array(dims=["time_of_arrival"], values=counts, variances=counts, unit="counts")
    return sc.DataArray(
        values,
        coords={"time_of_arrival": sc.array(dims=["time_of_arrival"], values=edges, unit="ms")},
        name="Histogram",
    )


def _ref(config: LayerConfig) -> DataRef:
    return config.roles["primary"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def serve(demo: LiveDemo, port: int, *, threaded: bool = True):
    """Serve ``demo`` on 127.0.0.1:``port``; the server thread (``.stop()`` ends it).

    Threaded, it returns at once: wait for :func:`listening` before connecting.
    """
    return pn.serve(
        {"/": demo.app},
        port=port,
        address="127.0.0.1",
        websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"],
        show=False,
        threaded=threaded,
        start=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5011)
    serve(LiveDemo(), parser.parse_args().port, threaded=False)
