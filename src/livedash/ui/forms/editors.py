"""One Panel widget per form field, with its inline error line.

:func:`make_editor` picks the widget for a :class:`~.schema.FieldSpec`: ``FloatInput``
and ``IntInput`` for numbers, ``Select`` for enums (only the offered choices, plus the
current value if it is not among them, so setting a value never silently changes it),
``Checkbox`` for booleans, ``TextInput`` for strings and a JSON ``TextAreaInput`` for
everything the schema walker could not map. Numeric bounds are not enforced by the
widget (a browser clamping a typed value would hide the mistake); they are shown in the
field's tooltip and checked by the params validator, whose message then appears under
the widget.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import panel as pn

from .schema import FieldKind, FieldSpec

NOT_SET = "(not set)"
FIELD_WIDTH = 130
JSON_WIDTH = 300

FORM_CSS = """
.ld-field-error { color: #b3261e; font-size: 0.85em; line-height: 1.2; margin: 0 4px; }
.ld-group-title { font-weight: 600; font-size: 1.0em; margin: 6px 4px 0 4px; color: #2b3a4a; }
.ld-form-errors { color: #b3261e; font-size: 0.9em; margin: 4px; }
.ld-no-params { color: #5f6b76; font-style: italic; margin: 4px; }
"""


class ErrorLine:
    """Problems shown in red under a field or group; hidden while there are none."""

    def __init__(self) -> None:
        self._errors: tuple[str, ...] = ()
        self.pane = pn.pane.HTML("", stylesheets=[FORM_CSS], visible=False, margin=0)

    @property
    def errors(self) -> list[str]:
        return list(self._errors)

    def show(self, messages: list[str]) -> None:
        """Show ``messages`` (hidden when empty); no Panel event if they are unchanged."""
        errors = tuple(messages)
        if errors == self._errors:
            return
        self._errors = errors
        lines = "<br>".join(html.escape(m) for m in errors)
        self.pane.object = f'<div class="ld-field-error">{lines}</div>' if errors else ""
        self.pane.visible = bool(errors)


class FieldEditor:
    """A widget bound to one payload path, plus the line that shows its problems."""

    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec
        self.widget = _widget(spec)
        self.errors = ErrorLine()
        self.error_pane = self.errors.pane
        width = self.widget.width or FIELD_WIDTH
        self.panel = pn.Column(self.widget, self.error_pane, width=width + 10, margin=(0, 4))

    @property
    def path(self) -> tuple[str, ...]:
        return self.spec.path

    def get(self) -> tuple[Any, str | None]:
        """The value for the payload, and a parse problem (JSON fields only) or None."""
        value = self.widget.value
        kind = self.spec.kind
        if kind is FieldKind.JSON:
            try:
                return json.loads(value), None
            except (TypeError, ValueError) as err:
                return None, f"not valid JSON ({err})"
        if kind is FieldKind.STRING and self.spec.nullable and value == "":
            return None, None
        return value, None

    def set(self, value: Any) -> None:
        """Show ``value`` (from a payload) in the widget; no event if it is already shown."""
        kind = self.spec.kind
        if kind is FieldKind.JSON:
            value = json.dumps(value, ensure_ascii=False)
        elif kind is FieldKind.STRING and value is None:
            value = ""
        elif kind is FieldKind.ENUM and value not in self.widget.options.values():
            self.widget.options = {**self.widget.options, str(value): value}
        elif kind is FieldKind.NUMBER and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if self.widget.value != value or type(self.widget.value) is not type(value):
            self.widget.value = value

    def watch(self, callback: Callable[[], None]) -> None:
        self.widget.param.watch(lambda _event: callback(), "value")


def _tooltip(spec: FieldSpec) -> str | None:
    bounds = spec.bounds_text()
    parts = [spec.description.strip(), f"Allowed: {bounds}." if bounds else ""]
    text = " ".join(p for p in parts if p)
    return text or None


def _widget(spec: FieldSpec) -> Any:
    common: dict[str, Any] = {"label": spec.title, "width": FIELD_WIDTH, "margin": (2, 0)}
    tooltip = _tooltip(spec)
    described = {**common, "description": tooltip} if tooltip else common
    kind = spec.kind
    if kind is FieldKind.BOOLEAN and not spec.nullable:
        # Checkbox has no description tooltip; its label says what it is.
        return pn.widgets.Checkbox(value=False, align="end", **common)
    if kind in (FieldKind.ENUM, FieldKind.BOOLEAN):
        options = _options(spec)
        return pn.widgets.Select(options=options, **{**described, "width": _select_width(options)})
    if kind is FieldKind.NUMBER:
        return pn.widgets.FloatInput(value=None, **described)
    if kind is FieldKind.INTEGER:
        return pn.widgets.IntInput(value=None, **described)
    if kind is FieldKind.STRING:
        return pn.widgets.TextInput(value="", **described)
    return pn.widgets.TextAreaInput(
        value="null", **{**described, "width": JSON_WIDTH, "height": 90}
    )


def _select_width(options: dict[str, Any]) -> int:
    # Long labels ("Time of arrival (TOA)") must not be cut off; ~8 px per character.
    longest = max((len(label) for label in options), default=0)
    return min(JSON_WIDTH, max(FIELD_WIDTH, 8 * longest + 40))


def _options(spec: FieldSpec) -> dict[str, Any]:
    if spec.kind is FieldKind.BOOLEAN:
        options: dict[str, Any] = {"yes": True, "no": False}
    else:
        options = {choice.label: choice.value for choice in spec.choices}
    return {NOT_SET: None, **options} if spec.nullable else options
