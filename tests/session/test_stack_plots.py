"""The session stack's plots and shared configuration: layout, seeding, compute, params."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping

import pytest
import scipp as sc

from livedash.instruments import Instrument
from livedash.plots.editing import add_grid
from livedash.plots.layer_state import LayerState
from livedash.plots.model import Cell, DataRef, Grid, GridSet, LayerConfig, PlotterKind
from livedash.plots.plotters import PlotterRegistry
from livedash.plots.plotters.common import Plotter
from livedash.plots.state import ImageState
from livedash.plots.templates import grids_from_templates
from livedash.protocol.ids import JobId
from livedash.session.data_service import DataKey
from livedash.session.errors import SessionClosedError
from livedash.session.stack import SessionStack
from livedash.session.transport import memory_transport_factory
from livedash.session.workflow_state import WorkflowStatus
from livedash.store.documents import GRIDS_DOC, WorkflowParams, workflow_params_doc
from livedash.store.layout import read_layout, write_layout
from tests.helpers import wait_until

from .fakes import MONITOR, PANEL, FakeBackend, FakeWallClock, memory_broker
from .world import WORKER_ID, World

PANEL_IMAGE = DataRef(workflow_id=PANEL, source_name="panel_0", output_name="cumulative")
MONITOR_UPDATE = DataRef(workflow_id=MONITOR, source_name="monitor1", output_name="current")


def layout_of(stack: SessionStack) -> GridSet:
    snapshot = read_layout(stack.store)
    assert snapshot is not None, "the session has no layout yet"
    return snapshot.gridset


def layer_reading(stack: SessionStack, ref: DataRef) -> uuid.UUID:
    layers = layout_of(stack).layers()
    [layer_id] = [layer.layer_id for _g, _c, layer in layers if layer.roles["primary"] == ref]
    return layer_id


def one_layer_grid(ref: DataRef, title: str = "Mine") -> Grid:
    layer = LayerConfig(title=title, roles={"primary": ref}, plotter=PlotterKind.AUTO)
    cell = Cell(row=0, col=0, layers=(layer,))
    return Grid(title=title, nrows=1, ncols=1, cells=(cell,))


def test_new_session_on_an_empty_topic_seeds_the_grid_templates(
    world: World, dummy: Instrument
) -> None:
    a = world.session()
    world.settle()
    assert layout_of(a) == GridSet(grids=tuple(grids_from_templates(dummy)))
    assert GRIDS_DOC in world.config_docs_written_by(a.session_id)
    layers = {layer.layer_id for _g, _c, layer in layout_of(a).layers()}
    assert set(a.plots.changed_since({}).changed) == layers
    assert a.stats()["layout"]["seeded"] == 1


def test_new_session_does_not_seed_over_an_existing_layout(world: World) -> None:
    a = world.session()
    world.settle()
    edited = GridSet(grids=(one_layer_grid(PANEL_IMAGE),))
    write_layout(a.store, edited, base=read_layout(a.store))
    world.settle()
    c = world.session()
    world.settle()
    assert layout_of(c) == edited
    assert world.config_docs_written_by(c.session_id) == ["_sync"]
    assert c.stats()["layout"]["seeded"] == 0


def test_layout_written_by_one_session_reaches_another_after_its_pump_runs(
    world: World,
) -> None:
    a, b = world.session(), world.session()
    world.settle()
    grid = one_layer_grid(MONITOR_UPDATE)
    edited = add_grid(layout_of(a), grid)
    write_layout(a.store, edited, base=read_layout(a.store))
    assert layout_of(b) != edited
    world.drain(a)
    world.clock.advance(0.3)  # the tickers run at most every 0.25 s
    world.drain(b)
    assert layout_of(b) == edited
    [new_layer] = grid.cells[0].layers
    view = b.plots.view(new_layer.layer_id)
    assert view is not None
    assert view.state is LayerState.WAITING_FOR_JOB
    assert b.heartbeat.status().dashboard["plots"] == sum(1 for _ in edited.layers())


def test_committed_workflow_with_a_layer_gets_a_plot_once_data_arrives(world: World) -> None:
    a, b = world.session(), world.session()
    world.settle()
    layer_id = layer_reading(b, PANEL_IMAGE)
    assert b.plots.view(layer_id).state is LayerState.WAITING_FOR_JOB
    job_number = a.orchestrator.commit(PANEL)
    world.settle()
    assert b.plots.view(layer_id).state is LayerState.WAITING_FOR_DATA
    world.backend.publish(JobId(source_name="panel_0", job_number=job_number), PANEL)
    world.settle()
    view = b.plots.view(layer_id)
    assert view.state is LayerState.READY
    assert isinstance(view.plot, ImageState)
    assert view.plot.values.shape == (4, 4)


def test_a_new_session_draws_the_latest_result_without_waiting_for_the_next(
    world: World,
) -> None:
    """It reads the last seconds of data and status (ADR 0012), the layout first."""
    a = world.session()
    world.settle()
    job_number = a.orchestrator.commit(PANEL)
    world.settle()
    world.backend.publish(JobId(source_name="panel_0", job_number=job_number), PANEL)
    world.settle()
    b = world.session()
    world.settle()
    view = b.plots.view(layer_reading(b, PANEL_IMAGE))
    assert view.state is LayerState.READY
    assert isinstance(view.plot, ImageState)
    assert b.pump.stats()["routed"]["data"] == 1


def test_only_results_a_layer_shows_are_decoded(world: World) -> None:
    a = world.session()
    world.settle()
    job_number = a.orchestrator.commit(MONITOR)
    world.settle()
    world.backend.publish(JobId(source_name="monitor1", job_number=job_number), MONITOR)
    world.settle()
    assert a.data.get(DataKey(MONITOR, "monitor1", "cumulative")) is None
    assert a.pump.stats()["routed"]["data_skipped"] == 1


def test_workflow_control_works_in_a_session_that_shows_no_plots(world: World) -> None:
    a, b = world.session(), world.session()
    world.settle()
    write_layout(b.store, GridSet(), base=read_layout(b.store))
    world.settle()
    assert b.stats()["plots"]["interest"] == 0
    job_number = a.orchestrator.commit(PANEL)
    world.settle()
    world.backend.publish(JobId(source_name="panel_0", job_number=job_number), PANEL)
    world.settle()
    assert b.jobs.workflow_state(PANEL).status is WorkflowStatus.ACTIVE
    assert b.jobs.current_job_number(PANEL) == job_number
    assert b.data.keys() == []
    assert b.pump.stats()["routed"]["data_skipped"] == 1
    b.orchestrator.stop(PANEL)
    world.settle()
    assert b.jobs.workflow_state(PANEL).status is WorkflowStatus.STOPPED


class ThreadRecordingPlotters(PlotterRegistry):
    """Every plotter, noting the thread each plotter choice (one per compute) ran on."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.threads: list[str] = []

    def choose(self, requested: PlotterKind, inputs: Mapping[str, sc.DataArray]) -> Plotter:
        self.threads.append(threading.current_thread().name)
        return super().choose(requested, inputs)


def test_plot_states_are_computed_on_the_pump_thread(
    dummy: Instrument, wall: FakeWallClock
) -> None:
    broker = memory_broker()
    backend = FakeBackend(broker, dummy, wall)
    plotters = ThreadRecordingPlotters(dim_titles=dummy.dim_titles)
    stack = SessionStack(
        transport_factory=memory_transport_factory(broker),
        instrument=dummy,
        worker_id=WORKER_ID,
        plotters=plotters,
    )
    with stack:
        stack.start()
        wait_until(lambda: read_layout(stack.store), timeout_s=5.0)
        layer_id = layer_reading(stack, PANEL_IMAGE)
        job_number = stack.orchestrator.commit(PANEL)

        def ready() -> bool:
            backend.process()
            backend.publish(JobId(source_name="panel_0", job_number=job_number), PANEL)
            view = stack.plots.view(layer_id)
            return view is not None and view.state is LayerState.READY

        wait_until(ready, timeout_s=5.0)
        thread_name = stack.pump.thread_name
    assert plotters.threads
    assert set(plotters.threads) == {thread_name}
    assert thread_name != threading.current_thread().name


def test_last_used_params_of_a_commit_prefill_a_later_session(world: World) -> None:
    a = world.session()
    world.settle()
    default = world.dummy.workflow(PANEL).params.default_payload()
    staged = a.orchestrator.stage_params(PANEL, {"toa_edges": {"num_bins": 32}})
    assert staged != default
    a.orchestrator.commit(PANEL)
    world.settle()
    a.close()
    c = world.session()
    assert c.orchestrator.params_for(PANEL) == default  # nothing read yet
    world.settle()
    assert c.orchestrator.params_for(PANEL) == staged
    document = c.store.get(workflow_params_doc(PANEL))
    assert document is not None
    assert document.writer == a.session_id
    assert isinstance(document.body, WorkflowParams)
    assert document.body.source_names == ("panel_0",)


def test_store_and_plots_are_refused_after_close(world: World) -> None:
    stack = world.session()
    stack.close()
    for operation in (lambda: stack.store, lambda: stack.plots):
        with pytest.raises(SessionClosedError):
            operation()
