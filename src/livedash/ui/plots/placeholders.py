"""What a cell says instead of (or beside) a plot: layer titles and state messages.

Pure functions (no Panel): the cell compares the HTML with what it shows and touches
the page only when it differs.

=================  =========================================================
layer state        message
=================  =========================================================
WAITING_FOR_JOB    "Waiting for workflow <title> to start" + where to start it
WAITING_FOR_DATA   "Waiting for data…"
READY              the plot
STOPPED            the last plot, with a muted "stopped" badge over it
ERROR              the backend's (or the plotter's) error text
=================  =========================================================
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ...instruments import Instrument
from ...plots.layer_state import LayerState
from ...plots.model import LayerConfig
from ...plots.views import LayerView
from ...protocol.ids import WorkflowId

START_HINT = "Start it in the Workflows tab."
WAITING_FOR_DATA = "Waiting for data…"
PREPARING = "Preparing the plot…"
EMPTY_CELL = "Empty cell"
EMPTY_HINT = "Use the + button to add a plot."

Tone = Literal["wait", "error", "muted"]


@dataclass(frozen=True)
class LayerMessage:
    """A layer's message: the text, a hint below it, and how it looks."""

    text: str
    hint: str = ""
    tone: Tone = "wait"


def layer_title(config: LayerConfig, instrument: Instrument) -> str:
    """The layer's own title, else ``<workflow>: <source> (<output title>)``."""
    if config.title:
        return config.title
    ref = config.roles["primary"]
    try:
        spec = instrument.workflow(ref.workflow_id)
    except KeyError:
        return f"{ref.workflow_id.name}: {ref.source_name} ({ref.output_name})"
    output = spec.outputs.get(ref.output_name)
    shown = output.title if output is not None else ref.output_name
    return f"{spec.title}: {ref.source_name} ({shown})"


def layer_message(
    config: LayerConfig,
    view: LayerView | None,
    *,
    workflow_title: Callable[[WorkflowId], str],
    running: Callable[[WorkflowId], bool],
) -> LayerMessage:
    """The message of a layer that draws no plot (see the module table)."""
    if view is None:
        return LayerMessage(PREPARING, tone="muted")
    if view.state is LayerState.ERROR:
        return LayerMessage(view.error or "Error", tone="error")
    if view.state is LayerState.WAITING_FOR_JOB:
        workflows = [ref.workflow_id for ref in config.roles.values()]
        waiting = next((w for w in workflows if not running(w)), workflows[0])
        return LayerMessage(f"Waiting for workflow {workflow_title(waiting)} to start", START_HINT)
    if view.state is LayerState.STOPPED:
        return LayerMessage("Workflow stopped", START_HINT, tone="muted")
    return LayerMessage(WAITING_FOR_DATA)


def placeholder_html(messages: Sequence[tuple[str, LayerMessage]]) -> str:
    """The body of a cell without a plot: one message large, several as a list."""
    if not messages:
        return _block(LayerMessage(EMPTY_CELL, EMPTY_HINT, tone="muted"), title="")
    if len(messages) == 1:
        return _block(messages[0][1], title="")
    return "".join(_block(message, title=title) for title, message in messages)


def notes_html(messages: Sequence[tuple[str, LayerMessage]]) -> str:
    """One line per layer that is not drawn beside a plot; empty for none."""
    return "".join(
        f'<div class="ld-note ld-tone-{m.tone}"><b>{_e(title)}</b>: {_e(m.text)}</div>'
        for title, m in messages
    )


def header_html(
    titles: Sequence[tuple[str, LayerState | None]],
    *,
    layer_ids: Sequence[uuid.UUID] | None = None,
) -> str:
    """The cell's title bar: the layer titles, each with a badge while it waits or has
    an error (a stopped layer's badge is over its plot).

    Each title carries stable hooks for tests and tools: ``data-layer-state`` (the
    state's value, ``none`` before the first view) and, given ``layer_ids``,
    ``data-layer-id``. They change only with the state, never with the data.
    """
    if not titles:
        return f'<div class="ld-cell-title ld-muted">{EMPTY_CELL}</div>'
    ids: Sequence[uuid.UUID | None] = layer_ids if layer_ids is not None else [None] * len(titles)
    parts = []
    for (title, state), layer_id in zip(titles, ids, strict=True):
        badge = ""
        if state is not None and state not in (LayerState.READY, LayerState.STOPPED):
            label = state.value.replace("_", " ")
            badge = f' <span class="ld-state ld-state-{state.value}">{_e(label)}</span>'
        hooks = f' data-layer-state="{"none" if state is None else state.value}"'
        if layer_id is not None:
            hooks += f' data-layer-id="{layer_id}"'
        parts.append(
            f'<span class="ld-layer-title" title="{_e(title)}"{hooks}>{_e(title)}</span>{badge}'
        )
    return '<div class="ld-cell-title">' + '<span class="ld-sep"> + </span>'.join(parts) + "</div>"


def stopped_badge_html(titles: Sequence[str], *, total: int) -> str:
    """The muted badge over a plot whose layers (some or all) are stopped."""
    if not titles:
        return ""
    text = "stopped" if len(titles) == total else "stopped: " + ", ".join(titles)
    return f'<span class="ld-stopped-badge">{_e(text)}</span>'


def _block(message: LayerMessage, *, title: str) -> str:
    head = f'<div class="ld-ph-title">{_e(title)}</div>' if title else ""
    hint = f'<div class="ld-ph-hint">{_e(message.hint)}</div>' if message.hint else ""
    text = _e(message.text)
    if message.tone == "error":
        text = f"<pre>{text}</pre>"
    return (
        f'<div class="ld-ph ld-tone-{message.tone}">{head}'
        f'<div class="ld-ph-text">{text}</div>{hint}</div>'
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class LayerText:
    """Titles and messages of layers, from the instrument and the workflows' states."""

    def __init__(self, *, instrument: Instrument, running: Callable[[WorkflowId], bool]) -> None:
        self._instrument = instrument
        self._running = running

    def title(self, config: LayerConfig) -> str:
        return layer_title(config, self._instrument)

    def message(self, config: LayerConfig, view: LayerView | None) -> LayerMessage:
        return layer_message(
            config, view, workflow_title=self._workflow_title, running=self._running
        )

    def _workflow_title(self, workflow_id: WorkflowId) -> str:
        try:
            return self._instrument.workflow(workflow_id).title
        except KeyError:
            return str(workflow_id)
