"""The Workflows tab: every workflow of the instrument, grouped as the instrument groups them.

One :class:`~.card.WorkflowCard` per workflow, under a heading per group
(``Instrument.workflow_groups()``: Detectors, Monitors, ...), cards wrapping side by
side. :meth:`WorkflowControlView.refresh` asks each card to refresh only when the job
service's global version moved; otherwise it just advances the running times.

Concurrency: built, refreshed and closed on the session's UI thread.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import panel as pn

from ...instruments import Instrument, WorkflowSpec
from ...protocol.ids import WorkflowId
from .card import WorkflowCard
from .protocols import JobsReader, WorkflowCommands
from .styles import CARD_CSS, LEGIBLE


class WorkflowControlView:
    """Workflow cards by group (see the module docstring)."""

    def __init__(
        self,
        *,
        instrument: Instrument,
        jobs: JobsReader,
        orchestrator: WorkflowCommands,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._jobs = jobs
        self._closed = False
        self._cards: dict[WorkflowId, WorkflowCard] = {}
        sections = []
        for specs in instrument.workflow_groups().values():
            cards = [
                WorkflowCard(
                    spec=spec,
                    jobs=jobs,
                    orchestrator=orchestrator,
                    sources=instrument.sources,
                    clock=clock,
                )
                for spec in specs
            ]
            self._cards.update((card.spec.id, card) for card in cards)
            sections.append(_group_heading(specs[0]))
            sections.append(
                pn.FlexBox(*(c.panel for c in cards), sizing_mode="stretch_width", margin=0)
            )
        self._version = jobs.version
        self._panel = pn.Column(
            *sections, sizing_mode="stretch_width", margin=(0, 10), styles=LEGIBLE
        )

    @property
    def panel(self) -> pn.viewable.Viewable:
        return self._panel

    @property
    def cards(self) -> dict[WorkflowId, WorkflowCard]:
        return dict(self._cards)

    def card(self, workflow_id: WorkflowId | str) -> WorkflowCard:
        """The card of ``workflow_id`` (KeyError if the instrument has no such workflow)."""
        for key, card in self._cards.items():
            if key == workflow_id or str(key) == str(workflow_id):
                return card
        raise KeyError(f"no workflow card for {workflow_id}")

    def refresh(self) -> None:
        """Update the cards whose workflow changed, and every running time."""
        if self._closed:
            return
        version = self._jobs.version
        changed = version != self._version
        self._version = version
        for card in self._cards.values():
            if changed:
                card.refresh()
            else:
                card.refresh_running_time()

    def close(self) -> None:
        """Stop refreshing and ignore clicks (idempotent)."""
        self._closed = True
        for card in self._cards.values():
            card.close()


def _group_heading(spec: WorkflowSpec) -> pn.pane.HTML:
    group = spec.group
    return pn.pane.HTML(
        f'<div class="ld-group-head">{html.escape(group.title)}'
        f'<span class="ld-group-desc">{html.escape(group.description)}</span></div>',
        stylesheets=[CARD_CSS],
        sizing_mode="stretch_width",
        margin=(0, 8),
    )
