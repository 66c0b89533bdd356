"""The plot configuration: grids of cells, each stacking layers that draw workflow results.

Every model is a frozen pydantic model and the whole configuration (a :class:`GridSet`)
is one immutable value: editing means building a new one (:mod:`livedash.plots.editing`).
A layer is identified by its ``layer_id``; changing anything about a layer means
replacing it by a layer with a *new* id, so every consumer (the plot orchestrator, a
presenter, another session) can tell "the same layer" from "a new plot" by id alone.

Validation: a grid's cells lie inside the grid and do not overlap; ids of grids, cells
and layers are unique across the whole set; every layer has a ``primary`` role, and the
correlation plotter needs an ``x_axis``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

from livedash.protocol.ids import WorkflowId

Role = Literal["primary", "x_axis", "y_axis"]
MAX_GRID_SIDE = 12
MAX_HISTORY_LENGTH = 100_000


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlotterKind(StrEnum):
    """Which plotter draws a layer; ``auto`` picks by the dims of the data that arrives."""

    AUTO = "auto"
    SCALAR = "scalar"
    LINE = "line"
    IMAGE = "image"
    SLICER = "slicer"
    TIMESERIES = "timeseries"
    CORRELATION = "correlation"


class DataRef(_Frozen):
    """One wire result: ``output_name`` is the output field (``cumulative``), not the view."""

    workflow_id: WorkflowId
    source_name: str = Field(min_length=1)
    output_name: str = Field(min_length=1)

    @field_serializer("workflow_id")
    def _workflow_id_as_string(self, workflow_id: WorkflowId) -> str:
        return str(workflow_id)


class AxisRange(_Frozen):
    """A fixed axis range; ``low < high``, both finite."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> AxisRange:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"range needs finite low < high, got {self.low!r}, {self.high!r}")
        return self


class ColorLimits(_Frozen):
    """Colour limits: ``auto`` from the data, or ``manual`` with ``low < high``."""

    mode: Literal["auto", "manual"] = "auto"
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _manual_needs_limits(self) -> ColorLimits:
        if self.mode == "manual":
            if self.low is None or self.high is None:
                raise ValueError("manual colour limits need low and high")
            AxisRange(low=self.low, high=self.high)
        return self


class PlotterParams(_Frozen):
    """How a layer is drawn. Plotters ignore what does not apply to them.

    ``scale`` is the value scale (y of a line, colour of an image). ``slice_dim`` and
    ``slice_index`` select the image shown from 3-D data (outer dim by default; the
    index is clamped to the data). ``history_length`` bounds the points a scalar trend,
    time series or correlation keeps.
    """

    scale: Literal["linear", "log"] = "linear"
    colormap: str = Field(default="viridis", min_length=1)
    color_limits: ColorLimits = ColorLimits()
    x_range: AxisRange | None = None
    y_range: AxisRange | None = None
    slice_dim: str | None = None
    slice_index: int = Field(default=0, ge=0)
    history_length: int = Field(default=1000, ge=1, le=MAX_HISTORY_LENGTH)
    show_errors: bool = True


_OVERLAY_ARITY = {"line": 4, "rect": 4, "text": 2}


class Overlay(_Frozen):
    """A fixed annotation drawn over a layer, in data coordinates.

    ``line`` and ``rect``: ``(x0, y0, x1, y1)``; ``text``: ``(x, y)`` with ``label``.
    """

    kind: Literal["line", "rect", "text"]
    coordinates: tuple[float, ...]
    label: str = ""

    @model_validator(mode="after")
    def _arity(self) -> Overlay:
        expected = _OVERLAY_ARITY[self.kind]
        if len(self.coordinates) != expected:
            raise ValueError(
                f"{self.kind} overlay needs {expected} coordinates, got {self.coordinates!r}"
            )
        if not all(math.isfinite(c) for c in self.coordinates):
            raise ValueError(f"overlay coordinates must be finite, got {self.coordinates!r}")
        return self


class LayerConfig(_Frozen):
    """One plot layer: the results it draws (by role), the plotter and its params."""

    layer_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    title: str = ""
    roles: dict[Role, DataRef]
    plotter: PlotterKind = PlotterKind.AUTO
    params: PlotterParams = PlotterParams()
    overlays: tuple[Overlay, ...] = ()

    @model_validator(mode="after")
    def _roles_fit_the_plotter(self) -> LayerConfig:
        if "primary" not in self.roles:
            raise ValueError(f"layer {self.layer_id}: a layer needs a 'primary' role")
        if "y_axis" in self.roles and "x_axis" not in self.roles:
            raise ValueError(f"layer {self.layer_id}: a 'y_axis' role needs an 'x_axis' role")
        if self.plotter is PlotterKind.CORRELATION and "x_axis" not in self.roles:
            raise ValueError(f"layer {self.layer_id}: the correlation plotter needs 'x_axis'")
        correlating = (PlotterKind.CORRELATION, PlotterKind.AUTO)
        if self.plotter not in correlating and set(self.roles) != {"primary"}:
            raise ValueError(
                f"layer {self.layer_id}: roles {sorted(self.roles)} need the correlation "
                f"plotter, not {self.plotter.value!r}"
            )
        return self


class Cell(_Frozen):
    """A rectangle of grid positions (zero-based) and the layers drawn in it, bottom first."""

    cell_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    row: int = Field(ge=0)
    col: int = Field(ge=0)
    row_span: int = Field(default=1, ge=1)
    col_span: int = Field(default=1, ge=1)
    layers: tuple[LayerConfig, ...] = ()

    def positions(self) -> set[tuple[int, int]]:
        """Every (row, col) the cell covers."""
        return {
            (r, c)
            for r in range(self.row, self.row + self.row_span)
            for c in range(self.col, self.col + self.col_span)
        }


class Grid(_Frozen):
    """An ``nrows`` x ``ncols`` grid of non-overlapping cells."""

    grid_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    title: str = Field(min_length=1)
    nrows: int = Field(ge=1, le=MAX_GRID_SIDE)
    ncols: int = Field(ge=1, le=MAX_GRID_SIDE)
    cells: tuple[Cell, ...] = ()

    @model_validator(mode="after")
    def _cells_fit_and_do_not_overlap(self) -> Grid:
        taken: dict[tuple[int, int], uuid.UUID] = {}
        for cell in self.cells:
            if cell.row + cell.row_span > self.nrows or cell.col + cell.col_span > self.ncols:
                raise ValueError(
                    f"grid {self.title!r}: cell {cell.cell_id} at ({cell.row}, {cell.col}) "
                    f"spanning {cell.row_span}x{cell.col_span} does not fit "
                    f"{self.nrows}x{self.ncols}"
                )
            for position in sorted(cell.positions()):
                other = taken.setdefault(position, cell.cell_id)
                if other != cell.cell_id:
                    raise ValueError(
                        f"grid {self.title!r}: cells {other} and {cell.cell_id} "
                        f"overlap at {position}"
                    )
        return self


class GridSet(_Frozen):
    """Every grid of the dashboard, in display order; ids unique across the set."""

    grids: tuple[Grid, ...] = ()

    @model_validator(mode="after")
    def _ids_are_unique(self) -> GridSet:
        for what, ids in (
            ("grid", [g.grid_id for g in self.grids]),
            ("cell", [c.cell_id for g in self.grids for c in g.cells]),
            ("layer", [layer.layer_id for _g, _c, layer in self.layers()]),
        ):
            seen: set[uuid.UUID] = set()
            for item in ids:
                if item in seen:
                    raise ValueError(f"{what} id {item} is used twice")
                seen.add(item)
        return self

    def layers(self) -> Iterator[tuple[Grid, Cell, LayerConfig]]:
        """Every layer with its grid and cell, in display order."""
        for grid in self.grids:
            for cell in grid.cells:
                for layer in cell.layers:
                    yield grid, cell, layer

    def layer(self, layer_id: uuid.UUID) -> LayerConfig:
        """The layer ``layer_id``; KeyError naming it if absent."""
        for _grid, _cell, layer in self.layers():
            if layer.layer_id == layer_id:
                return layer
        raise KeyError(f"no layer {layer_id}")

    def grid(self, grid_id: uuid.UUID) -> Grid:
        """The grid ``grid_id``; KeyError naming it if absent."""
        for grid in self.grids:
            if grid.grid_id == grid_id:
                return grid
        raise KeyError(f"no grid {grid_id}")
