"""An inline "are you sure?" step for actions that destroy accumulated data.

No browser dialog: the card shows a line with the question and Confirm / Cancel
buttons; the action runs only on Confirm. Asking again replaces the pending question.

The question's widgets are built on the first :meth:`ConfirmBar.ask` (or the first
access to them): most bars are never used, and a page holds one per card and per cell.
Until then :attr:`ConfirmBar.panel` is the same hidden column, empty.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import panel as pn

from .. import icons
from .styles import CARD_CSS


class ConfirmBar:
    """One pending question at a time; hidden while there is none."""

    def __init__(self) -> None:
        self._action: Callable[[], None] | None = None
        self._question = ""
        self._widgets: tuple[pn.pane.HTML, pn.widgets.Button, pn.widgets.Button] | None = None
        self.panel = pn.Column(
            visible=False,
            margin=(4, 0),
            styles={"border-left": "4px solid #b3261e", "padding-left": "6px"},
        )

    @property
    def built(self) -> bool:
        """Whether the question's widgets exist yet."""
        return self._widgets is not None

    @property
    def message(self) -> pn.pane.HTML:
        return self._build()[0]

    @property
    def confirm_button(self) -> pn.widgets.Button:
        return self._build()[1]

    @property
    def cancel_button(self) -> pn.widgets.Button:
        return self._build()[2]

    def _build(self) -> tuple[pn.pane.HTML, pn.widgets.Button, pn.widgets.Button]:
        if self._widgets is None:
            message = pn.pane.HTML("", stylesheets=[CARD_CSS], margin=(6, 4))
            confirm_button = pn.widgets.Button(
                label="Confirm", icon=icons.CHECK, color="danger", width=110
            )
            cancel_button = pn.widgets.Button(
                label="Cancel", icon=icons.CANCEL, color="light", width=100
            )
            confirm_button.on_click(lambda _event: self.confirm())
            cancel_button.on_click(lambda _event: self.cancel())
            self._widgets = (message, confirm_button, cancel_button)
            self.panel.objects = [message, pn.Row(confirm_button, cancel_button, margin=0)]
        return self._widgets

    @property
    def question(self) -> str:
        """The question waiting for an answer, or ``""``."""
        return self._question

    def ask(self, question: str, action: Callable[[], None], *, confirm_label: str) -> None:
        """Show ``question``; ``action`` runs if the user confirms."""
        self._action = action
        self._question = question
        self.message.object = f'<div class="ld-confirm">{html.escape(question)}</div>'
        self.confirm_button.label = confirm_label
        self.panel.visible = True

    def confirm(self) -> None:
        """Run the pending action (once) and hide the question."""
        action = self._action
        self.cancel()
        if action is not None:
            action()

    def cancel(self) -> None:
        """Drop the pending action and hide the question."""
        self._action = None
        self._question = ""
        if self.panel.visible:
            self.panel.visible = False
