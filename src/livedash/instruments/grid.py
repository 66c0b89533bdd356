"""Grid templates: pre-arranged plot grids an instrument ships (upstream ``grid_templates/*.yaml``).

A template is a ``nrows`` x ``ncols`` grid of cells; each cell stacks plot layers, and
each layer names the workflow view (and sources) it draws plus its plotter name and
plotter params. The plotter params belong to the plotting layer and are kept as given.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

from livedash.protocol.ids import WorkflowId


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CellGeometry(_Frozen):
    """Top-left cell and span of a grid cell, zero-based."""

    row: int = Field(ge=0)
    col: int = Field(ge=0)
    row_span: int = Field(ge=1)
    col_span: int = Field(ge=1)


class DataSourceRef(_Frozen):
    """The data one layer draws: a view of a workflow, for some of its sources."""

    workflow_id: WorkflowId
    view_name: str
    source_names: list[str]

    @field_serializer("workflow_id")
    def _workflow_id_as_string(self, workflow_id: WorkflowId) -> str:
        return str(workflow_id)


class GridLayer(_Frozen):
    """One plot layer of a cell: its data sources by role, the plotter and its params."""

    data_sources: dict[str, DataSourceRef]
    plot_name: str
    params: dict[str, Any]


class GridCell(_Frozen):
    """A cell of the grid and the layers drawn in it, bottom first."""

    geometry: CellGeometry
    layers: list[GridLayer]


class GridTemplate(_Frozen):
    """A named grid of plot cells."""

    title: str
    description: str
    nrows: int = Field(ge=1)
    ncols: int = Field(ge=1)
    cells: list[GridCell]

    @model_validator(mode="after")
    def _cells_fit_the_grid(self) -> GridTemplate:
        for position, cell in enumerate(self.cells):
            geometry = cell.geometry
            if (
                geometry.row + geometry.row_span > self.nrows
                or geometry.col + geometry.col_span > self.ncols
            ):
                raise ValueError(
                    f"grid template {self.title!r}: cells[{position}] {geometry} "
                    f"does not fit a {self.nrows}x{self.ncols} grid"
                )
        return self

    def data_sources(self) -> list[DataSourceRef]:
        """Every data source referenced by any layer of any cell, in file order."""
        return [
            source
            for cell in self.cells
            for layer in cell.layers
            for source in layer.data_sources.values()
        ]
