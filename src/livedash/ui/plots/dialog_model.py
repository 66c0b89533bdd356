"""What the plot configuration dialog offers and builds (pure, no Panel).

The user picks a workflow, its sources, an output *view* and a windowing; the view's
``field_for`` names the wire output (``since_start`` -> ``cumulative``, ``per_update``
-> ``current``; :func:`~livedash.plots.templates.resolve_view`). The plotter is
``auto`` by default: it is chosen from the data that arrives, and the output template's
number of dims only gives the hint shown beside it. A correlation adds an ``x_axis``
(and optionally a ``y_axis``) role: 0-D outputs of any workflow.

:func:`build_layers` makes one new layer (with a new id) per selected source;
:func:`choice_for` recovers the dialog's choices from an existing layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...instruments import Instrument, OutputSpec, WorkflowSpec
from ...plots.model import DataRef, LayerConfig, PlotterKind, PlotterParams
from ...plots.templates import resolve_view
from ...protocol.ids import WorkflowId

WINDOWING_LABELS = {"since_start": "Since start", "per_update": "Current (per update)"}
PLOTTER_LABELS = {
    PlotterKind.SCALAR: "Number with trend",
    PlotterKind.LINE: "Lines / histogram",
    PlotterKind.IMAGE: "Image",
    PlotterKind.SLICER: "Image slices (3-D)",
    PlotterKind.TIMESERIES: "Time series",
    PlotterKind.CORRELATION: "Correlation",
}
_KIND_OF_NDIM = {
    0: PlotterKind.SCALAR,
    1: PlotterKind.LINE,
    2: PlotterKind.IMAGE,
    3: PlotterKind.SLICER,
}


@dataclass(frozen=True)
class AxisChoice:
    """A 0-D output for a correlation role: workflow, source and view."""

    workflow_id: WorkflowId
    source_name: str
    view_name: str


@dataclass(frozen=True)
class LayerChoice:
    """Everything the dialog asks, for one or more layers (one per source)."""

    workflow_id: WorkflowId
    sources: tuple[str, ...]
    view_name: str
    windowing: str
    plotter: PlotterKind = PlotterKind.AUTO
    params: PlotterParams = field(default_factory=PlotterParams)
    title: str = ""
    x_axis: AxisChoice | None = None
    y_axis: AxisChoice | None = None


def workflow_options(instrument: Instrument) -> dict[str, str]:
    """``{label: workflow id text}``, grouped labels in the instrument's order."""
    return {
        f"{spec.group.title}: {spec.title}": str(spec.id)
        for specs in instrument.workflow_groups().values()
        for spec in specs
    }


def find_workflow(instrument: Instrument, text: str) -> WorkflowSpec:
    for workflow_id, spec in instrument.workflows.items():
        if str(workflow_id) == text:
            return spec
    raise KeyError(f"no workflow {text!r}")


def view_options(spec: WorkflowSpec) -> dict[str, str]:
    """``{view title: view name}``."""
    return {view.title: view.name for view in spec.output_views}


def windowing_options(spec: WorkflowSpec, view_name: str) -> dict[str, str]:
    """``{label: windowing}`` the view offers."""
    view = spec.output_view(view_name)
    options = view.windowing_options or list(view.field_for)
    return {WINDOWING_LABELS.get(w, w): w for w in options}


def resolve(spec: WorkflowSpec, view_name: str, windowing: str, source_name: str) -> DataRef:
    """The wire output of the view for the windowing (the view's ``field_for``)."""
    return resolve_view(spec, source_name=source_name, view_name=view_name, windowing=windowing)


def expected_kind(output: OutputSpec | None) -> PlotterKind | None:
    """The plotter the output's template suggests (None if nothing does)."""
    if output is None:
        return None
    if output.temporality == "series":
        return PlotterKind.TIMESERIES
    return _KIND_OF_NDIM.get(output.template.ndim)


def plotter_options(hint: PlotterKind | None) -> dict[str, PlotterKind]:
    """``{label: plotter}`` with ``auto`` first, its label naming the hint."""
    auto = "Automatic"
    if hint is not None:
        auto = f"Automatic ({PLOTTER_LABELS[hint].lower()} expected)"
    return {auto: PlotterKind.AUTO, **{label: kind for kind, label in PLOTTER_LABELS.items()}}


def axis_options(instrument: Instrument) -> dict[str, AxisChoice]:
    """Every 0-D, non-series view output, as ``{"workflow / source / view": choice}``."""
    options: dict[str, AxisChoice] = {}
    for spec in instrument.workflows.values():
        for view in spec.output_views:
            outputs = [spec.outputs.get(name) for name in view.field_for.values()]
            if not all(o is not None and o.template.ndim == 0 for o in outputs):
                continue
            if any(o is not None and o.temporality == "series" for o in outputs):
                continue
            for source in spec.source_names:
                label = f"{spec.title} / {source} / {view.title}"
                options[label] = AxisChoice(spec.id, source, view.name)
    return options


def build_layers(instrument: Instrument, choice: LayerChoice) -> list[LayerConfig]:
    """One new layer per source of ``choice`` (ValueError/KeyError for a bad choice)."""
    if not choice.sources:
        raise ValueError("Select at least one source.")
    spec = instrument.workflow(choice.workflow_id)
    plotter = choice.plotter
    if choice.x_axis is not None and plotter is PlotterKind.AUTO:
        plotter = PlotterKind.CORRELATION
    if plotter is PlotterKind.CORRELATION and choice.x_axis is None:
        raise ValueError("A correlation needs an x axis.")
    layers = []
    for source in choice.sources:
        roles = {"primary": resolve(spec, choice.view_name, choice.windowing, source)}
        if plotter is PlotterKind.CORRELATION:
            for role, axis in (("x_axis", choice.x_axis), ("y_axis", choice.y_axis)):
                if axis is not None:
                    roles[role] = _axis_ref(instrument, axis, choice.windowing)
        title = choice.title
        if title and len(choice.sources) > 1:
            title = f"{title} ({source})"
        layers.append(
            LayerConfig(title=title, roles=roles, plotter=plotter, params=choice.params)  # type: ignore[arg-type]
        )
    return layers


def choice_for(instrument: Instrument, layer: LayerConfig) -> LayerChoice:
    """The dialog's choices that would rebuild ``layer`` (with a new id)."""
    primary = layer.roles["primary"]
    spec = instrument.workflow(primary.workflow_id)
    view_name, windowing = _view_of(spec, primary.output_name)
    return LayerChoice(
        workflow_id=spec.id,
        sources=(primary.source_name,),
        view_name=view_name,
        windowing=windowing,
        plotter=layer.plotter,
        params=layer.params,
        title=layer.title,
        x_axis=_axis_of(instrument, layer.roles.get("x_axis")),
        y_axis=_axis_of(instrument, layer.roles.get("y_axis")),
    )


def _axis_ref(instrument: Instrument, axis: AxisChoice, windowing: str) -> DataRef:
    spec = instrument.workflow(axis.workflow_id)
    offered = windowing_options(spec, axis.view_name).values()
    chosen = windowing if windowing in offered else None
    return resolve_view(
        spec, source_name=axis.source_name, view_name=axis.view_name, windowing=chosen
    )


def _view_of(spec: WorkflowSpec, output_name: str) -> tuple[str, str]:
    for view in spec.output_views:
        offered = view.windowing_options or list(view.field_for)
        for windowing in offered:
            if view.field_for.get(windowing) == output_name:
                return view.name, windowing
    first = spec.output_views[0]
    return first.name, next(iter(first.windowing_options or list(first.field_for)))


def _axis_of(instrument: Instrument, ref: DataRef | None) -> AxisChoice | None:
    if ref is None:
        return None
    spec = instrument.workflow(ref.workflow_id)
    view_name, _windowing = _view_of(spec, ref.output_name)
    return AxisChoice(spec.id, ref.source_name, view_name)
