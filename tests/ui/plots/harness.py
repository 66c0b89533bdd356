"""A PlotsView on the real plot orchestrator (fake jobs and data cache) and the real
configuration store on an in-memory broker, stepped explicitly (no threads).

``World.settle()`` does what the session's pump does: feeds the store its records,
syncs the orchestrator to the layout when the store moved, and ticks it.
``World.refresh()`` settles and then runs the view's periodic refresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import panel as pn
import scipp as sc
from bokeh.document import Document
from bokeh.model import Model

from livedash.plots.model import Cell, DataRef, Grid, GridSet, LayerConfig, PlotterKind
from livedash.plots.orchestrator import PlotOrchestrator
from livedash.plots.subscription import data_key
from livedash.protocol.ids import WorkflowId
from livedash.store import read_layout, write_layout
from livedash.ui.plots import PlotsView
from livedash.ui.plots.cell import CellView
from tests.plots.fakes import FakeData, FakeJobs
from tests.store.fakes import Reader, make_broker, make_reader

from .data import dummy, registry


class World:
    """One session's Plots tab, its orchestrator and store, and another session's store."""

    def __init__(self) -> None:
        self.instrument = dummy()
        self.jobs = FakeJobs(*self.instrument.workflows)
        self.data = FakeData()
        self.plots = PlotOrchestrator(jobs=self.jobs, data=self.data, plotters=registry())
        self.broker = make_broker()
        self.reader = make_reader(self.broker, writer_id="session-a")
        self.other = make_reader(self.broker, writer_id="session-b")
        self._synced_at: int | None = None
        self.view = PlotsView(
            plots=self.plots, store=self.reader.store, instrument=self.instrument, jobs=self.jobs
        )

    @property
    def store(self):
        return self.reader.store

    def settle(self) -> None:
        for reader in (self.reader, self.other):
            reader.feed()
        if self.store.version != self._synced_at:
            self._synced_at = self.store.version
            snapshot = read_layout(self.store)
            if snapshot is not None:
                self.plots.sync(snapshot.gridset)
        self.plots.tick()

    def refresh(self) -> None:
        self.settle()
        self.view.refresh()

    def write(self, gridset: GridSet, *, reader: Reader | None = None) -> None:
        """Publish ``gridset`` as ``reader`` (this session by default) edits it."""
        store = (reader or self.reader).store
        write_layout(store, gridset, base=read_layout(store))

    def layout(self) -> GridSet:
        snapshot = read_layout(self.store)
        assert snapshot is not None
        return snapshot.gridset

    def start(self, workflow: WorkflowId, *sources: str) -> uuid.UUID:
        return self.jobs.start(workflow, *sources)

    def put(self, ref: DataRef, data: sc.DataArray) -> None:
        number = self.jobs.states[ref.workflow_id].job_number
        assert number is not None, "start the workflow first"
        self.data.put(data_key(ref), data, number)

    def cell(self, layer_id: uuid.UUID) -> CellView:
        cell = self.view.cell_of(layer_id)
        assert cell is not None
        return cell


def ref(workflow: WorkflowId, source: str, output: str = "cumulative") -> DataRef:
    return DataRef(workflow_id=workflow, source_name=source, output_name=output)


def layer(
    primary: DataRef, *, plotter: PlotterKind = PlotterKind.AUTO, **roles: DataRef
) -> LayerConfig:
    return LayerConfig(roles={"primary": primary, **roles}, plotter=plotter)  # type: ignore[dict-item]


def one_grid(*cells: Cell, nrows: int = 2, ncols: int = 2, title: str = "Plots") -> GridSet:
    return GridSet(grids=(Grid(title=title, nrows=nrows, ncols=ncols, cells=cells),))


def cell_with(*layers: LayerConfig, row: int = 0, col: int = 0) -> Cell:
    return Cell(row=row, col=col, layers=layers)


class ModelCounter:
    """Counts Bokeh models constructed while :meth:`counting` is active."""

    def __init__(self) -> None:
        self.created: list[str] = []

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        original = Model.__init__
        created = self.created = []

        def counted(model: Model, *args: object, **kwargs: object) -> None:
            created.append(type(model).__name__)
            original(model, *args, **kwargs)

        Model.__init__ = counted  # type: ignore[method-assign]
        try:
            yield created
        finally:
            Model.__init__ = original  # type: ignore[method-assign]


def rendered(view: PlotsView) -> Document:
    """A Bokeh document holding the view's models, as a served session would."""
    doc = Document()
    view.panel.get_root(doc)
    return doc


def record_events(root: pn.viewable.Viewable) -> list[str]:
    """Watch every parameter of every Panel object under ``root``; what changed."""
    events: list[str] = []
    for obj in root.select():
        names = [name for name in obj.param if name != "name"]
        owner = type(obj).__name__
        obj.param.watch(lambda event, o=owner: events.append(f"{o}.{event.name}"), names)
    return events
