"""An instrument's grid templates as plot grids, and view names resolved to wire outputs.

Templates (``Instrument.grid_templates``, upstream ``grid_templates/*.yaml``) name a
workflow *view* (``image``) per layer and several sources; a :class:`LayerConfig` names
one wire output (``cumulative``) of one source. The conversion:

- each template layer becomes one layer per source name, in the same cell;
- the view's output is its ``field_for`` of the windowing: ``since_start`` (cumulative)
  unless the view does not offer it;
- ``plot_name`` picks the plotter (``image``, ``lines``, ``timeseries``, ``slicer``; any
  other name: ``auto``), and ``plot_scale`` the value scale (``color_scale`` for images,
  ``y_scale`` otherwise);
- ids are uuid5 of the instrument, template index and position, so every session
  converting the same template gets the same grid (concurrent seeding writes equal
  documents).
"""

from __future__ import annotations

import uuid
from typing import Any

from livedash.instruments import GridLayer, Instrument, WorkflowSpec

from .model import Cell, DataRef, Grid, LayerConfig, PlotterKind, PlotterParams

TEMPLATE_NAMESPACE = uuid.UUID("6f1c9a52-3a55-4b2f-9a57-4c9e1f0b7d21")
DEFAULT_WINDOWING = "since_start"

_PLOTTER_OF = {
    "image": PlotterKind.IMAGE,
    "lines": PlotterKind.LINE,
    "line": PlotterKind.LINE,
    "timeseries": PlotterKind.TIMESERIES,
    "slicer": PlotterKind.SLICER,
    "correlation": PlotterKind.CORRELATION,
}


def resolve_view(
    spec: WorkflowSpec, *, source_name: str, view_name: str, windowing: str | None = None
) -> DataRef:
    """The wire output of ``view_name`` for ``windowing`` (default: since_start if the view
    offers it, else its first option). KeyError for an unknown view, ValueError for an
    unknown source or windowing."""
    view = spec.output_view(view_name)
    if source_name not in spec.source_names:
        raise ValueError(f"workflow {spec.id} has no source {source_name!r}")
    if windowing is None:
        options = view.windowing_options or list(view.field_for)
        windowing = DEFAULT_WINDOWING if DEFAULT_WINDOWING in options else options[0]
    output = view.field_for.get(windowing)
    if output is None:
        raise ValueError(f"view {view_name!r} of {spec.id} has no windowing {windowing!r}")
    return DataRef(workflow_id=spec.id, source_name=source_name, output_name=output)


def grid_from_template(instrument: Instrument, index: int) -> Grid:
    """Grid template ``index`` of ``instrument`` as a :class:`Grid` (deterministic ids)."""
    template = instrument.grid_templates[index]
    base = f"{instrument.name}/grid_template/{index}"
    cells = []
    for position, cell in enumerate(template.cells):
        where = f"{base}/cell/{position}"
        geometry = cell.geometry
        cells.append(
            Cell(
                cell_id=uuid.uuid5(TEMPLATE_NAMESPACE, where),
                row=geometry.row,
                col=geometry.col,
                row_span=geometry.row_span,
                col_span=geometry.col_span,
                layers=tuple(
                    layer
                    for number, grid_layer in enumerate(cell.layers)
                    for layer in _layers(instrument, grid_layer, f"{where}/layer/{number}")
                ),
            )
        )
    return Grid(
        grid_id=uuid.uuid5(TEMPLATE_NAMESPACE, base),
        title=template.title,
        nrows=template.nrows,
        ncols=template.ncols,
        cells=tuple(cells),
    )


def grids_from_templates(instrument: Instrument) -> list[Grid]:
    """Every grid template of ``instrument``, converted, in file order."""
    return [grid_from_template(instrument, i) for i in range(len(instrument.grid_templates))]


def _layers(instrument: Instrument, grid_layer: GridLayer, where: str) -> list[LayerConfig]:
    plotter = _PLOTTER_OF.get(grid_layer.plot_name, PlotterKind.AUTO)
    primary = grid_layer.data_sources.get("primary")
    if primary is None:
        return []
    spec = instrument.workflow(primary.workflow_id)
    view = spec.output_view(primary.view_name)
    params = PlotterParams(scale=_scale(grid_layer.params, plotter))
    return [
        LayerConfig(
            layer_id=uuid.uuid5(TEMPLATE_NAMESPACE, f"{where}/{source}"),
            title=f"{spec.title}: {source} ({view.title})",
            roles={"primary": resolve_view(spec, source_name=source, view_name=primary.view_name)},
            plotter=plotter,
            params=params,
        )
        for source in primary.source_names
    ]


def _scale(params: dict[str, Any], plotter: PlotterKind) -> str:
    scales = params.get("plot_scale")
    if not isinstance(scales, dict):
        return "linear"
    key = "color_scale" if plotter in (PlotterKind.IMAGE, PlotterKind.SLICER) else "y_scale"
    return "log" if scales.get(key) == "log" else "linear"
