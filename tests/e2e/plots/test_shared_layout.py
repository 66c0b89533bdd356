"""The layout is shared by tabs of different workers and survives restarting them.

Two ``livedash serve`` workers on the session's broker, a fake backend, and headless
Chromium tabs. A plot is added in a tab of worker 0 through the real configuration
dialog (clicks); it must appear in a tab of worker 1 within 5 s and plot live data
there. Then both workers are stopped and new ones started: the broker keeps the
configuration topic, so the new tabs show the same layout (nobody re-seeds it).
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from livedash.plots.model import GridSet, LayerConfig, PlotterKind
from tests.helpers import wait_until
from tests.worker.process import ServedWorker

from .live import FakeBackendProcess, Instrument, LayoutClient, Workflows, grid, layer
from .page import PlotsPage

pytestmark = pytest.mark.integration

SHARED_WITHIN_S = 5.0
DIALOG_TIMEOUT_MS = 30_000


@dataclass
class Cluster:
    instrument: Instrument
    start_workers: Callable[..., list[ServedWorker]]
    workers: list[ServedWorker] = field(default_factory=list)

    def start(self) -> None:
        self.workers = self.start_workers(0, 1)

    def stop(self) -> list[int]:
        """SIGTERM both workers (at once); their exit codes."""
        for worker in self.workers:
            worker.signal(signal.SIGTERM)
        return [worker.popen.wait(timeout=30) for worker in self.workers]


@pytest.fixture(scope="module")
def cluster(
    instrument: Instrument,
    layouts: LayoutClient,
    start_backend: Callable[..., FakeBackendProcess],
    start_workers: Callable[..., list[ServedWorker]],
) -> Cluster:
    """Two workers and a fake backend; the layout is one grid with total counts and a
    free place."""
    start_backend()
    cluster = Cluster(instrument, start_workers)
    cluster.start()
    total = layer(instrument.ref("total_counts", "panel_0", "total_counts"))
    layouts.write(GridSet(grids=(grid("Shared", 1, 2, (0, 0, total)),)))
    return cluster


def added_layer(before: GridSet, after: GridSet) -> LayerConfig:
    old = {la.layer_id for _g, _c, la in before.layers()}
    (new,) = [la for _g, _c, la in after.layers() if la.layer_id not in old]
    return new


def test_a_plot_added_with_the_dialog_appears_in_a_tab_of_another_worker(
    cluster: Cluster,
    layouts: LayoutClient,
    workflows: Workflows,
    open_pages: Callable[..., list[PlotsPage]],
    record_property: Callable[[str, object], None],
) -> None:
    before = layouts.layout()
    assert before is not None
    tab_a, tab_b = open_pages(*cluster.workers)
    for tab in (tab_a, tab_b):
        for _g, _c, la in before.gridset.layers():
            tab.page.locator(f'[data-layer-id="{la.layer_id}"]').wait_for(state="attached")

    page = tab_a.page
    page.get_by_role("button", name="Add a plot").click()
    page.locator(".ld-dialog-title", has_text="Add a plot").wait_for()
    page.get_by_label("Workflow").select_option(label="Monitors: Beam monitor")
    page.locator(".ld-resolved", has_text="cumulative").wait_for(timeout=DIALOG_TIMEOUT_MS)
    checked = page.get_by_label("monitor1").is_checked()
    page.get_by_role("button", name="Save").click()
    saved_at = time.monotonic()
    title_in_b = tab_b.page.locator(".ld-layer-title", has_text="Beam monitor: monitor1")
    wait_until(
        lambda: title_in_b.count() > 0,
        SHARED_WITHIN_S,
        interval_s=0.05,
        message=f"the new plot did not reach worker 1's tab within {SHARED_WITHIN_S} s",
    )
    shared_after_s = time.monotonic() - saved_at
    record_property("shared_after_s", round(shared_after_s, 2))

    after = layouts.wait(
        lambda: (s := layouts.layout()) and s.gridset != before.gridset and s, 10.0
    )
    new = added_layer(before.gridset, after.gridset)
    id_in_b = title_in_b.first.get_attribute("data-layer-id")
    workflows.start("monitor_histogram", "monitor1")
    tab_b.wait_state(new.layer_id, "ready")
    tab_a.wait_state(new.layer_id, "ready")
    cell = next(c for _g, c, la in after.gridset.layers() if la.layer_id == new.layer_id)
    figure = tab_b.wait_plots(cell.cell_id).figure

    assert checked
    assert shared_after_s < SHARED_WITHIN_S
    assert new.roles == {
        "primary": cluster.instrument.ref("monitor_histogram", "monitor1", "cumulative")
    }
    assert new.plotter is PlotterKind.AUTO
    assert (cell.row, cell.col) == (0, 1)
    assert id_in_b == str(new.layer_id)
    assert figure.x_label == "Time of arrival [ms]"
    assert tab_a.errors == []
    assert tab_b.errors == []


def test_the_layout_survives_restarting_every_worker(
    cluster: Cluster,
    layouts: LayoutClient,
    open_pages: Callable[..., list[PlotsPage]],
) -> None:
    before = layouts.layout()
    assert before is not None
    exit_codes = cluster.stop()
    cluster.start()
    tabs = open_pages(*cluster.workers)
    layer_ids: list[uuid.UUID] = [la.layer_id for _g, _c, la in before.gridset.layers()]
    for tab in tabs:
        for layer_id in layer_ids:
            tab.page.locator(f'[data-layer-id="{layer_id}"]').wait_for(state="attached")
    grid_tabs = [tab.page.locator(".bk-tab").all_inner_texts() for tab in tabs]
    # Both new sessions have read the whole topic by now (they show its layout).
    after = layouts.layout()

    assert exit_codes == [0, 0]
    assert after is not None
    assert after.gridset == before.gridset
    for texts in grid_tabs:
        assert [g.title for g in before.gridset.grids] == [
            t for t in texts if t not in ("Plots", "Workflows", "System Status")
        ]
