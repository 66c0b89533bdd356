"""A cell's move / resize controls: row, column and spans as selectors, then Apply.

Rows and columns are shown counting from 1. The edit is applied by the caller
(``on_apply`` returns an error text, e.g. "cells overlap", or None); the bar stays
open showing the error, and closes on success or Cancel.

The bar's widgets are built on the first :meth:`ArrangeBar.open` (or the first access
to them); until then :attr:`ArrangeBar.panel` is the same hidden column, empty.
"""

from __future__ import annotations

import html as html_text
from collections.abc import Callable

import panel as pn

from .icons import CANCEL, CHECK
from .widgets import html, text_button

Apply = Callable[[int, int, int, int], str | None]
_WIDGETS = frozenset(
    {"row", "col", "row_span", "col_span", "apply_button", "cancel_button", "error"}
)


class ArrangeBar:
    """Hidden until :meth:`open`; see the module docstring."""

    def __init__(self, *, on_apply: Apply) -> None:
        self._on_apply = on_apply
        self._built = False
        self.panel = pn.Column(visible=False, margin=(0, 6))

    @property
    def built(self) -> bool:
        """Whether the bar's widgets exist yet."""
        return self._built

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        self.row = _select("Row")
        self.col = _select("Column")
        self.row_span = _select("Rows spanned")
        self.col_span = _select("Columns spanned")
        self.apply_button = text_button("Apply", CHECK, color="primary", width=100)
        self.cancel_button = text_button("Cancel", CANCEL, width=100)
        self.error = html(visible=False)
        self.apply_button.on_click(lambda _e: self.apply())
        self.cancel_button.on_click(lambda _e: self.close())
        self.panel.objects = [
            pn.Row(self.row, self.col, self.row_span, self.col_span, margin=0),
            pn.Row(self.apply_button, self.cancel_button, margin=0),
            self.error,
        ]

    def __getattr__(self, name: str) -> object:
        # The widgets, for callers (and tests) that reach them before the first open.
        if name in _WIDGETS and not self.__dict__.get("_built", True):
            self._build()
            return getattr(self, name)
        raise AttributeError(name)

    def open(
        self, *, row: int, col: int, row_span: int, col_span: int, nrows: int, ncols: int
    ) -> None:
        """Show the bar with the cell's place in an ``nrows`` x ``ncols`` grid."""
        self._build()
        for widget, count, value, base in (
            (self.row, nrows, row, 0),
            (self.col, ncols, col, 0),
            (self.row_span, nrows, row_span, 1),
            (self.col_span, ncols, col_span, 1),
        ):
            widget.options = {str(i + 1): i + base for i in range(count)}
            widget.value = value
        self.error.visible = False
        self.panel.visible = True

    def apply(self) -> None:
        problem = self._on_apply(
            self.row.value, self.col.value, self.row_span.value, self.col_span.value
        )
        if problem:
            self.error.object = f'<div class="ld-error-line">{html_text.escape(problem)}</div>'
            self.error.visible = True
            return
        self.close()

    def close(self) -> None:
        if self.panel.visible:
            self.panel.visible = False


def _select(name: str) -> pn.widgets.Select:
    return pn.widgets.Select(label=name, options={"1": 0}, width=110, margin=(2, 4))
