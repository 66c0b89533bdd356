"""A workflow whose jobs fail shows the backend's error text in its layers' cells.

The module's fake backend runs with ``--fail-workflow monitor_histogram``: the jobs of
that workflow report ``error`` with the real backend's "Job failed to compute result."
text and a traceback, and publish no data. Total counts, from another workflow of the
same backend, keep plotting beside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from livedash.plots.model import GridSet, LayerConfig
from tests.worker.process import ServedWorker

from .live import FakeBackendProcess, Instrument, LayoutClient, Workflows, grid, layer
from .page import PlotsPage, first_number

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Scene:
    tab: PlotsPage
    failing: LayerConfig
    healthy: LayerConfig
    cells: dict[uuid.UUID, uuid.UUID]


@pytest.fixture(scope="module")
def scene(
    instrument: Instrument,
    layouts: LayoutClient,
    start_backend: Callable[..., FakeBackendProcess],
    start_workers: Callable[..., list[ServedWorker]],
    open_pages: Callable[..., list[PlotsPage]],
) -> Scene:
    """A histogram of the failing workflow and total counts, in a tab; nothing started."""
    start_backend("--fail-workflow", "monitor_histogram")
    (worker,) = start_workers()
    failing = layer(instrument.ref("monitor_histogram", "monitor1", "cumulative"))
    healthy = layer(instrument.ref("total_counts", "panel_0", "total_counts"))
    gridset = GridSet(grids=(grid("Errors", 1, 2, (0, 0, failing), (0, 1, healthy)),))
    layouts.write(gridset)
    cells = {la.layer_id: c.cell_id for _g, c, la in gridset.layers()}
    return Scene(open_pages(worker)[0], failing, healthy, cells)


def test_a_failing_workflow_puts_its_layer_in_error_with_the_backend_text(
    scene: Scene, workflows: Workflows
) -> None:
    tab, failing, healthy, cells = scene.tab, scene.failing, scene.healthy, scene.cells
    tab.wait_state(failing.layer_id, "waiting_for_job")

    workflows.start("monitor_histogram", "monitor1")
    workflows.start("total_counts", "panel_0")
    tab.wait_state(failing.layer_id, "error")
    tab.wait_state(healthy.layer_id, "ready")
    text = tab.placeholder_text(cells[failing.layer_id])
    badge = tab.cell(cells[failing.layer_id]).locator(".ld-state-error").inner_text()
    error_plots = tab.plots(cells[failing.layer_id])
    total = tab.wait_plots(cells[healthy.layer_id])

    assert "Job failed to compute result." in text
    assert "InjectedFailureError" in text
    assert "monitor_histogram" in text
    assert badge.strip().lower() == "error"
    assert error_plots.figures == []
    assert first_number(total.texts[0]) > 0
