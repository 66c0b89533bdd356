"""A workflow's parameter form, generated from its :class:`ParamsSpec`.

The form shows one widget per schema field (:mod:`.schema`, :mod:`.editors`), nested
models as titled groups. :attr:`ParamsForm.value` is always the *full* payload: the
payload the form was given (merged over the recorded default) with every widget's
value written over it, so keys the form does not show are kept. Every change is checked
with :meth:`ParamsSpec.validate`; each problem appears in red under the field it belongs
to (problems with the payload as a whole under the form), and :attr:`is_valid` is False
until they are fixed, so a caller can refuse to send the payload.

Concurrency: Panel callbacks and the caller run on the session's UI thread only.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import panel as pn

from ...instruments import ParamsSpec
from .. import icons
from .editors import FORM_CSS, ErrorLine, FieldEditor
from .paths import errors_by_field, get_path, set_path
from .schema import FieldKind, FieldSpec, describe_fields, display_order

NO_PARAMETERS = "This workflow has no parameters."


class ParamsForm:
    """Widgets for one params model (see the module docstring)."""

    def __init__(
        self,
        *,
        spec: ParamsSpec,
        value: Mapping[str, Any] | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._spec = spec
        self._on_change: Callable[[], None] | None = None
        self._fields = describe_fields(spec.json_schema)
        self._editors = {
            leaf.path: FieldEditor(leaf) for field in self._fields for leaf in field.leaves()
        }
        self._group_errors: dict[tuple[str, ...], ErrorLine] = {}
        self._form_errors = ErrorLine()
        self._base: dict[str, Any] = spec.default_payload()
        self._errors: list[str] = []
        self._loading = False
        self.reset_button = pn.widgets.Button(
            label="Defaults",
            icon=icons.DEFAULTS,
            description="Put every parameter back to its default value",
            color="light",
            width=110,
            margin=(6, 4),
        )
        self.reset_button.on_click(lambda _event: self.reset())
        self._panel = self._build()
        self.set_value(value or {})
        for editor in self._editors.values():
            editor.watch(self._changed)
        # Only changes after construction are reported.
        self._on_change = on_change

    @property
    def panel(self) -> pn.viewable.Viewable:
        return self._panel

    @property
    def has_fields(self) -> bool:
        """False for models without parameters (``NoParams``)."""
        return bool(self._fields)

    @property
    def value(self) -> dict[str, Any]:
        """The full payload the form holds now (valid or not; see :attr:`is_valid`)."""
        return self._collect()[0]

    @property
    def is_valid(self) -> bool:
        return not self._errors

    @property
    def errors(self) -> list[str]:
        """Every problem with the current payload, as ``"path: message"`` lines."""
        return list(self._errors)

    def widget(self, *path: str) -> Any:
        """The widget of the field at ``path`` (KeyError if the form has no such field)."""
        return self._editors[tuple(path)].widget

    def field_errors(self, *path: str) -> list[str]:
        """The problems shown under the field or group at ``path``."""
        line = self._editors[path].errors if path in self._editors else None
        line = line or self._group_errors.get(tuple(path))
        return [] if line is None else line.errors

    def form_errors(self) -> list[str]:
        """The problems no field claims, shown under the whole form."""
        return self._form_errors.errors

    def set_value(self, payload: Mapping[str, Any]) -> None:
        """Show ``payload`` (merged over the default), validate, and notify once."""
        self._base = self._spec.merge_with_default(payload)
        self._loading = True
        try:
            for path, editor in self._editors.items():
                editor.set(get_path(self._base, path, editor.spec.schema_default))
        finally:
            self._loading = False
        self._changed()

    def show_errors(self, messages: Sequence[str]) -> None:
        """Show problems found elsewhere (e.g. an :class:`InvalidParamsError`)."""
        self._place(list(messages))

    def reset(self) -> None:
        """Put every field back to the recorded default payload."""
        self.set_value({})

    def _changed(self) -> None:
        if self._loading:
            return
        payload, problems = self._collect()
        self._errors = problems + self._spec.validate(payload)
        self._place(self._errors)
        if self._on_change is not None:
            self._on_change()

    def _collect(self) -> tuple[dict[str, Any], list[str]]:
        payload = self._spec.merge_with_default(self._base)
        problems: list[str] = []
        for path, editor in self._editors.items():
            value, problem = editor.get()
            if problem is None:
                set_path(payload, path, value)
            else:
                problems.append(f"{'.'.join(path)}: {problem}")
        return payload, problems

    def _place(self, messages: list[str]) -> None:
        paths = [*self._editors, *self._group_errors]
        by_field, unplaced = errors_by_field(messages, paths)
        for path, editor in self._editors.items():
            editor.errors.show(by_field.get(path, []))
        for path, line in self._group_errors.items():
            line.show(by_field.get(path, []))
        self._form_errors.show(unplaced)

    def _build(self) -> pn.viewable.Viewable:
        if not self._fields:
            return pn.pane.HTML(
                f'<div class="ld-no-params">{NO_PARAMETERS}</div>', stylesheets=[FORM_CSS]
            )
        return pn.Column(
            *self._layout(self._fields),
            self._form_errors.pane,
            self.reset_button,
            sizing_mode="stretch_width",
            margin=0,
        )

    def _layout(self, fields: Sequence[FieldSpec]) -> list[pn.viewable.Viewable]:
        leaves = [f for f in display_order(fields) if f.kind is not FieldKind.GROUP]
        parts: list[pn.viewable.Viewable] = []
        if leaves:
            panels = [self._editors[leaf.path].panel for leaf in leaves]
            parts.append(pn.FlexBox(*panels, sizing_mode="stretch_width", margin=0))
        for group in (f for f in fields if f.kind is FieldKind.GROUP):
            self._group_errors[group.path] = line = ErrorLine()
            tooltip = html.escape(group.description, quote=True)
            header = pn.pane.HTML(
                f'<div class="ld-group-title" title="{tooltip}">{html.escape(group.title)}</div>',
                stylesheets=[FORM_CSS],
                margin=0,
            )
            parts.append(
                pn.Column(
                    header,
                    *self._layout(group.children),
                    line.pane,
                    sizing_mode="stretch_width",
                    margin=(0, 0, 4, 0),
                )
            )
        return parts
