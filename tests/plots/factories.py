"""Small builders of layers, cells, grids and grid sets for the plot tests."""

from __future__ import annotations

import uuid

from livedash.plots.model import Cell, DataRef, Grid, GridSet, LayerConfig, PlotterKind
from livedash.protocol.ids import WorkflowId

PANEL = WorkflowId(instrument="dummy", name="panel_0_xy", version=1)
MONITOR = WorkflowId(instrument="dummy", name="monitor_histogram", version=1)


def ref(
    workflow_id: WorkflowId = PANEL, source: str = "panel_0", output: str = "cumulative"
) -> DataRef:
    return DataRef(workflow_id=workflow_id, source_name=source, output_name=output)


def layer(
    primary: DataRef | None = None,
    *,
    plotter: PlotterKind = PlotterKind.AUTO,
    layer_id: uuid.UUID | None = None,
    **roles: DataRef,
) -> LayerConfig:
    return LayerConfig(
        layer_id=layer_id or uuid.uuid4(),
        roles={"primary": primary or ref(), **roles},  # type: ignore[dict-item]
        plotter=plotter,
    )


def cell(row: int = 0, col: int = 0, *layers: LayerConfig, rows: int = 1, cols: int = 1) -> Cell:
    return Cell(row=row, col=col, row_span=rows, col_span=cols, layers=layers)


def grid(*cells: Cell, nrows: int = 2, ncols: int = 2, title: str = "Grid") -> Grid:
    return Grid(title=title, nrows=nrows, ncols=ncols, cells=cells)


def gridset(*layers: LayerConfig) -> GridSet:
    """One 3x3 grid with one cell per layer."""
    cells = [cell(i // 3, i % 3, la) for i, la in enumerate(layers)]
    return GridSet(grids=(grid(*cells, nrows=3, ncols=3),))
