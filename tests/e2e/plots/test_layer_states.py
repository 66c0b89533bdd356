"""A layer's placeholder follows its workflow in a real tab: start, stop, restart.

One stack for the module: the session's broker, ``livedash fake-backend`` (results every
0.5 s), one ``livedash serve`` worker and one headless Chromium tab. The layout holds
the monitor histogram (the layer under test) and a time series that runs all along as
a clock: "no new data" is checked against updates the time series received meanwhile,
not against a sleep.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from livedash.plots.model import GridSet, LayerConfig
from tests.helpers import wait_until
from tests.worker.process import ServedWorker

from .live import FakeBackendProcess, Instrument, LayoutClient, Workflows, grid, layer
from .page import CellPlots, PlotsPage

pytestmark = pytest.mark.integration

# The order a layer may go through from a start to its first plot (docs/plots.md).
STARTING = ["waiting_for_job", "waiting_for_data", "ready"]


def states_until(
    tab: PlotsPage, layer_id: uuid.UUID, final: str, timeout_s: float = 60.0
) -> list[str]:
    """Every state the page shows (polled every 50 ms) until it shows ``final``, in order,
    without repeats."""
    seen: list[str] = []

    def reached() -> bool:
        state = tab.layer_state(layer_id) or "none"
        if not seen or seen[-1] != state:
            seen.append(state)
        return state == final

    wait_until(reached, timeout_s, interval_s=0.05, message=f"states seen: {seen}")
    return seen


def in_order(seen: list[str], allowed: list[str]) -> bool:
    """Whether ``seen`` visits only ``allowed`` states, in their order."""
    positions = [allowed.index(s) if s in allowed else -1 for s in seen]
    return -1 not in positions and positions == sorted(positions)


@dataclass(frozen=True)
class Scene:
    tab: PlotsPage
    histogram: LayerConfig
    clock: LayerConfig
    cells: dict[uuid.UUID, uuid.UUID]


@pytest.fixture(scope="module")
def scene(
    instrument: Instrument,
    layouts: LayoutClient,
    start_backend: Callable[..., FakeBackendProcess],
    start_workers: Callable[..., list[ServedWorker]],
    open_pages: Callable[..., list[PlotsPage]],
) -> Scene:
    """The histogram under test and the time series clock, in a tab; nothing started."""
    start_backend()
    (worker,) = start_workers()
    histogram = layer(instrument.ref("monitor_histogram", "monitor1", "cumulative"))
    clock = layer(instrument.ref("timeseries_data", "motion1", "delta"))
    gridset = GridSet(grids=(grid("States", 1, 2, (0, 0, histogram), (0, 1, clock)),))
    layouts.write(gridset)
    cells = {la.layer_id: c.cell_id for _g, c, la in gridset.layers()}
    return Scene(open_pages(worker)[0], histogram, clock, cells)


def test_a_layer_follows_its_workflow_through_start_stop_and_restart(
    scene: Scene, workflows: Workflows
) -> None:
    tab, histogram, clock = scene.tab, scene.histogram, scene.clock
    cells = scene.cells
    subject = cells[histogram.layer_id]

    # Not started: the placeholder says which workflow to start, and where.
    tab.wait_state(histogram.layer_id, "waiting_for_job")
    waiting_text = tab.placeholder_text(subject)
    workflows.start("timeseries_data", "motion1")
    tab.wait_state(clock.layer_id, "ready")

    # Start: waiting for the job, maybe for data, then the plot.
    first = workflows.start("monitor_histogram", "monitor1")
    started = states_until(tab, histogram.layer_id, "ready")
    drawn = tab.wait_plots(subject)
    for _update in range(3):
        drawn = tab.wait_change(subject, drawn)
    running_counts = drawn.figure.column("Scatter", "y")["sum"]

    # Stop: STOPPED, the last plot kept (with its badge) and no new data.
    workflows.stop(first, "monitor1")
    tab.wait_state(histogram.layer_id, "stopped", timeout_s=30.0)
    stopped = tab.wait_plots(subject)
    ticks = tab.wait_plots(cells[clock.layer_id])
    for _update in range(3):
        ticks = tab.wait_change(cells[clock.layer_id], ticks)
    still = tab.plots(subject)
    badge = tab.cell(subject).locator(".ld-stopped-badge").inner_text()

    # Restart: a new generation, drawn from its own (new, smaller cumulative) data.
    workflows.start("monitor_histogram", "monitor1")
    restarted = states_until(tab, histogram.layer_id, "ready")
    fresh: CellPlots = tab.wait_plots(subject)

    assert "Waiting for workflow Beam monitor to start" in waiting_text
    assert "Start it in the Workflows tab." in waiting_text
    assert started[0] == "waiting_for_job"
    assert in_order(started, STARTING), started
    assert stopped.figure.column("Scatter", "y")["sum"] >= running_counts
    assert still.fingerprint == stopped.fingerprint
    assert tab.layer_state(histogram.layer_id) == "ready"
    assert badge.strip().lower() == "stopped"
    assert restarted[0] == "stopped"
    assert in_order(restarted[1:], ["waiting_for_data", "ready"]), restarted
    assert fresh.figure.column("Scatter", "y")["sum"] < running_counts
    assert fresh.figure.x_label == "Time of arrival [ms]"
