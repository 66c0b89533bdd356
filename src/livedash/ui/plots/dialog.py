"""The plot configuration dialog: workflow -> sources -> output view + windowing ->
plotter -> plotter params (and the x/y roles of a correlation).

A panel floating over the Plots tab, hidden until :meth:`PlotDialog.open_new` (a new
cell, or more layers for a cell) or :meth:`PlotDialog.open_edit` (a cell's layers:
pick one, change it, or remove it). Saving hands the new layers (always new ids, see
:mod:`.dialog_model`) to ``on_save``, which returns an error text or None; the dialog
closes on success and shows the error otherwise.

The dialog's widgets are built when it first opens (or on the first access to one of
them): most sessions never open it. Until then :attr:`PlotDialog.panel` is the same
hidden, floating column, empty.

Concurrency: built and clicked on the session's UI thread.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import panel as pn

from ...instruments import Instrument, WorkflowSpec
from ...plots.model import LayerConfig, PlotterKind, PlotterParams
from ...protocol.ids import WorkflowId
from . import dialog_model as dm
from .icons import CANCEL, CHECK, TRASH
from .params_form import ParamsForm
from .widgets import html as html_pane
from .widgets import set_if_changed, text_button

DIALOG_STYLES = {
    "position": "fixed",
    "top": "70px",
    "left": "50%",
    "transform": "translateX(-50%)",
    "z-index": "1000",
    "background": "#ffffff",
    "border": "1px solid #cfd6de",
    "border-radius": "8px",
    "box-shadow": "0 12px 40px rgba(20, 30, 45, 0.28)",
    "padding": "10px 14px",
    "max-height": "calc(100vh - 100px)",
    "overflow-y": "auto",
}
NO_AXIS = "(none)"
_WIDGETS = frozenset(
    {
        "heading",
        "layer",
        "workflow",
        "sources",
        "view",
        "windowing",
        "resolved",
        "plotter",
        "title",
        "x_axis",
        "y_axis",
        "axes",
        "params",
        "error",
        "save_button",
        "cancel_button",
        "remove_button",
    }
)


@dataclass(frozen=True)
class DialogTarget:
    """Where saved layers go: a new cell at (row, col) of a grid, or an existing cell."""

    grid_id: uuid.UUID | None = None
    row: int = 0
    col: int = 0
    cell_id: uuid.UUID | None = None


SaveHandler = Callable[[DialogTarget, list[LayerConfig], uuid.UUID | None], str | None]
RemoveHandler = Callable[[uuid.UUID], str | None]


class PlotDialog:
    """See the module docstring."""

    def __init__(
        self,
        *,
        instrument: Instrument,
        on_save: SaveHandler,
        on_remove: RemoveHandler,
        running: Callable[[WorkflowId], bool] = lambda _w: False,
    ) -> None:
        self._instrument = instrument
        self._on_save = on_save
        self._on_remove = on_remove
        self._running = running
        self._target = DialogTarget()
        self._layers: dict[str, LayerConfig] = {}
        self._built = False
        self.panel = pn.Column(visible=False, width=600, styles=DIALOG_STYLES)

    @property
    def built(self) -> bool:
        """Whether the dialog's widgets exist yet."""
        return self._built

    def __getattr__(self, name: str) -> object:
        # The widgets, for callers (and tests) that reach them before the dialog opened.
        if name in _WIDGETS and not self.__dict__.get("_built", True):
            self._build()
            return getattr(self, name)
        raise AttributeError(name)

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        instrument = self._instrument
        self.heading = html_pane(margin=(0, 4))
        self.layer = pn.widgets.Select(label="Layer", options=[], visible=False, width=560)
        self.workflow = pn.widgets.Select(label="Workflow", options=[""], width=560)
        self.sources = pn.widgets.CheckBoxGroup(
            label="Sources", options=[], inline=True, margin=(0, 10)
        )
        self.view = pn.widgets.Select(label="Output", options=[], width=270)
        self.windowing = pn.widgets.RadioButtonGroup(label="Windowing", options=[])
        self.resolved = html_pane()
        self.plotter = pn.widgets.Select(label="Plotter", options={}, width=270)
        self.title = pn.widgets.TextInput(label="Title (optional)", width=270)
        self.x_axis = pn.widgets.Select(label="Correlation x axis", width=560)
        self.y_axis = pn.widgets.Select(
            label="Correlation y axis (the output then colours the points)", width=560
        )
        axes = dm.axis_options(instrument)
        self.x_axis.options = {NO_AXIS: None, **axes}
        self.y_axis.options = {NO_AXIS: None, **axes}
        self.axes = pn.Column(self.x_axis, self.y_axis, margin=0, visible=False)
        self.params = ParamsForm()
        self.error = html_pane(visible=False)
        self.save_button = text_button("Save", CHECK, color="primary", width=110)
        self.cancel_button = text_button("Cancel", CANCEL, width=110)
        self.remove_button = text_button("Remove layer", TRASH, color="danger", width=150)
        self.save_button.on_click(lambda _e: self.save())
        self.cancel_button.on_click(lambda _e: self.close())
        self.remove_button.on_click(lambda _e: self.remove())
        self.workflow.param.watch(lambda _e: self._workflow_changed(), "value")
        self.view.param.watch(lambda _e: self._view_changed(), "value")
        self.windowing.param.watch(lambda _e: self._show_resolved(), "value")
        self.sources.param.watch(lambda _e: self._show_resolved(), "value")
        self.plotter.param.watch(lambda _e: self._plotter_changed(), "value")
        self.layer.param.watch(lambda _e: self._layer_changed(), "value")
        options = dm.workflow_options(instrument)
        self.workflow.param.update(options=options, value=next(iter(options.values())))
        self.panel.objects = [
            self.heading,
            self.layer,
            self.workflow,
            _label("Sources"),
            self.sources,
            pn.Row(self.view, pn.Column(_label("Windowing"), self.windowing, margin=0), margin=0),
            self.resolved,
            pn.Row(self.plotter, self.title, margin=0),
            self.axes,
            pn.Card(self.params.panel, title="Display", collapsed=False, margin=(4, 4), width=570),
            self.error,
            pn.Row(self.save_button, self.cancel_button, self.remove_button, margin=(6, 0)),
        ]

    @property
    def is_open(self) -> bool:
        return self.panel.visible

    @property
    def target(self) -> DialogTarget:
        return self._target

    def open_new(self, target: DialogTarget, *, heading: str = "Add a plot") -> None:
        """Ask for new layers for ``target``, starting from the first workflow."""
        self._build()
        self._target = target
        self._layers = {}
        self.layer.visible = False
        self.remove_button.visible = False
        self._show(heading)
        self.params.set_value(PlotterParams())
        self.title.value = ""
        self.plotter.value = PlotterKind.AUTO
        first = next(iter(self.workflow.options.values()))
        if self.workflow.value == first:
            self._workflow_changed()
        self.workflow.value = first

    def open_edit(self, target: DialogTarget, layers: Sequence[tuple[str, LayerConfig]]) -> None:
        """Edit one of ``layers`` (title, layer) of the cell ``target``."""
        self._build()
        if not layers:
            self.open_new(target)
            return
        self._target = target
        self._layers = {f"{i + 1}. {title}": layer for i, (title, layer) in enumerate(layers)}
        self.layer.options = list(self._layers)
        self.layer.visible = len(layers) > 1
        self.remove_button.visible = True
        self._show("Edit plot")
        if self.layer.value == self.layer.options[0]:
            self._layer_changed()
        self.layer.value = self.layer.options[0]

    def choice(self) -> dm.LayerChoice:
        """The current choices (ValueError naming the problem if incomplete)."""
        spec = self._spec()
        if not self.view.value or not self.windowing.value:
            raise ValueError("Choose an output and a windowing.")
        return dm.LayerChoice(
            workflow_id=spec.id,
            sources=tuple(self.sources.value),
            view_name=self.view.value,
            windowing=self.windowing.value,
            plotter=self.plotter.value,
            params=self.params.value(),
            title=self.title.value.strip(),
            x_axis=self.x_axis.value if self.axes.visible else None,
            y_axis=self.y_axis.value if self.axes.visible else None,
        )

    def save(self) -> None:
        try:
            layers = dm.build_layers(self._instrument, self.choice())
        except (ValueError, KeyError) as err:
            self._fail(str(err))
            return
        replacing = self._editing()
        self._finish(self._on_save(self._target, layers, replacing))

    def remove(self) -> None:
        editing = self._editing()
        if editing is not None:
            self._finish(self._on_remove(editing))

    def close(self) -> None:
        set_if_changed(self.panel, "visible", False)

    def _editing(self) -> uuid.UUID | None:
        layer = self._layers.get(self.layer.value) if self._layers else None
        return None if layer is None else layer.layer_id

    def _show(self, heading: str) -> None:
        self.heading.object = f'<div class="ld-dialog-title">{html.escape(heading)}</div>'
        self.error.visible = False
        self.panel.visible = True

    def _finish(self, problem: str | None) -> None:
        if problem:
            self._fail(problem)
        else:
            self.close()

    def _fail(self, problem: str) -> None:
        self.error.object = f'<div class="ld-error-line">{html.escape(problem)}</div>'
        self.error.visible = True

    def _spec(self) -> WorkflowSpec:
        return dm.find_workflow(self._instrument, self.workflow.value)

    def _workflow_changed(self) -> None:
        spec = self._spec()
        self.sources.param.update(
            options=list(spec.source_names), value=list(spec.source_names[:1])
        )
        views = dm.view_options(spec)
        first = next(iter(views.values()))
        if self.view.value == first and self.view.options == views:
            self._view_changed()
        else:
            self.view.param.update(options=views, value=first)

    def _view_changed(self) -> None:
        if not self.view.value:
            return
        options = dm.windowing_options(self._spec(), self.view.value)
        values = list(options.values())
        chosen = "since_start" if "since_start" in values else values[0]
        if self.windowing.value == chosen and self.windowing.options == options:
            self._show_resolved()
        else:
            self.windowing.param.update(options=options, value=chosen)

    def _show_resolved(self) -> None:
        if not self.view.value or not self.windowing.value:
            return
        spec = self._spec()
        source = self.sources.value[0] if self.sources.value else spec.source_names[0]
        try:
            ref = dm.resolve(spec, self.view.value, self.windowing.value, source)
        except (KeyError, ValueError):
            return  # widgets of the previous workflow, about to be replaced
        output = spec.outputs.get(ref.output_name)
        hint = dm.expected_kind(output)
        chosen = self.plotter.value
        self.plotter.options = dm.plotter_options(hint)
        self.plotter.value = chosen if isinstance(chosen, PlotterKind) else PlotterKind.AUTO
        dims = "" if output is None else f" · {output.template.ndim}-D"
        self.resolved.object = (
            f'<div class="ld-resolved">Wire output: <code>{html.escape(ref.output_name)}</code>'
            f"{dims}{' · workflow running' if self._running(spec.id) else ''}</div>"
        )

    def _plotter_changed(self) -> None:
        set_if_changed(self.axes, "visible", self.plotter.value == PlotterKind.CORRELATION)

    def _layer_changed(self) -> None:
        layer = self._layers.get(self.layer.value)
        if layer is None:
            return
        choice = dm.choice_for(self._instrument, layer)
        self.workflow.value = str(choice.workflow_id)
        self.sources.value = list(choice.sources)
        self.view.value = choice.view_name
        self.windowing.value = choice.windowing
        self.plotter.value = choice.plotter
        self.title.value = choice.title
        self.x_axis.value = choice.x_axis
        self.y_axis.value = choice.y_axis
        self.params.set_value(choice.params)
        self._plotter_changed()


def _label(text: str) -> pn.pane.HTML:
    """A widget-style label for widgets that show none (check boxes, button groups)."""
    return pn.pane.HTML(
        f'<div style="font-size: 0.9em; color: #1f2a35">{html.escape(text)}</div>',
        margin=(6, 10, 0, 10),
    )
