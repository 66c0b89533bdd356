"""An inline "are you sure?" step for actions that destroy accumulated data.

No browser dialog: the card shows a line with the question and Confirm / Cancel
buttons; the action runs only on Confirm. Asking again replaces the pending question.
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
        self.message = pn.pane.HTML("", stylesheets=[CARD_CSS], margin=(6, 4))
        self.confirm_button = pn.widgets.Button(
            label="Confirm", icon=icons.CHECK, color="danger", width=110
        )
        self.cancel_button = pn.widgets.Button(
            label="Cancel", icon=icons.CANCEL, color="light", width=100
        )
        self.confirm_button.on_click(lambda _event: self.confirm())
        self.cancel_button.on_click(lambda _event: self.cancel())
        self.panel = pn.Column(
            self.message,
            pn.Row(self.confirm_button, self.cancel_button, margin=0),
            visible=False,
            margin=(4, 0),
            styles={"border-left": "4px solid #b3261e", "padding-left": "6px"},
        )

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
