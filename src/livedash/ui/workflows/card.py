"""One workflow's card: status, backend messages, sources, parameters and commands.

:meth:`WorkflowCard.refresh` re-reads the workflow's state only when its
``workflow_version`` moved, and then sets only the widgets whose content differs; the
running time is extrapolated from the last read with the injected clock, so an unchanged
workflow costs one version lookup per tick and no Panel event. Start (Restart while
running) stages the selected sources and the form's params and commits them; it is
disabled while the form is invalid or no source is selected. Stop, Reset, Restart and
"Stop them" (superseded jobs) ask for confirmation first. Every error of a command is
shown on the card, never raised into Panel.

Concurrency: Panel callbacks and :meth:`refresh` run on the session's UI thread.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Mapping

import panel as pn
import structlog

from ...instruments import SourceInfo, WorkflowSpec
from ...session.errors import (
    InvalidParamsError,
    InvalidSourcesError,
    ResetNotSupportedError,
    SessionClosedError,
    WorkflowNotRunningError,
)
from ...session.workflow_state import WorkflowState, stopped
from .. import icons
from ..forms import NO_PARAMETERS, ParamsForm
from . import status as text
from .confirm import ConfirmBar
from .parts import button, html_pane, set_if_changed, source_label
from .protocols import JobsReader, WorkflowCommands
from .styles import CARD_CSS

logger = structlog.get_logger(__name__)

CARD_WIDTH = 460
FIX_PARAMS = "Fix the parameters marked in red to start."
SELECT_SOURCE = "Select at least one source to start."
_EXPECTED = (
    InvalidParamsError,
    InvalidSourcesError,
    ResetNotSupportedError,
    SessionClosedError,
    WorkflowNotRunningError,
)


class WorkflowCard:
    """The card of one workflow (see the module docstring)."""

    def __init__(
        self,
        *,
        spec: WorkflowSpec,
        jobs: JobsReader,
        orchestrator: WorkflowCommands,
        sources: Mapping[str, SourceInfo] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self._jobs = jobs
        self._orchestrator = orchestrator
        self._clock = clock
        self._closed = False
        self._version: int | None = None
        self._state: WorkflowState = stopped(spec.id)
        self._read_at = clock()
        self.header = html_pane(margin=0, sizing_mode="stretch_width")
        self.detail = html_pane()
        self.running_time = html_pane()
        self.messages = html_pane(visible=False)
        self.superseded_note = html_pane()
        self.stop_superseded_button = button("Stop them", icons.STOP, color="warning", width=120)
        self.superseded_row = pn.Row(self.superseded_note, self.stop_superseded_button)
        self.superseded_row.visible = False
        labels = {source_label(n, (sources or {}).get(n)): n for n in spec.source_names}
        self.sources = pn.widgets.CheckBoxGroup(
            label="Sources",
            options=labels,
            value=list(orchestrator.sources_for(spec.id)),
            inline=True,
            margin=(4, 8),
        )
        self.form = ParamsForm(
            spec=spec.params, value=orchestrator.params_for(spec.id), on_change=self._show_buttons
        )
        self.start_button = button("Start", icons.PLAY, color="primary")
        self.stop_button = button("Stop", icons.STOP, color="default")
        self.reset_button = button("Reset", icons.RESET, color="default")
        self.reset_button.visible = spec.supports_reset
        self.blocked = html_pane()
        self.confirm = ConfirmBar()
        self.action_error = html_pane(visible=False)
        self.start_button.on_click(lambda _e: self._on_start())
        self.stop_button.on_click(lambda _e: self._on_stop())
        self.reset_button.on_click(lambda _e: self._on_reset())
        self.stop_superseded_button.on_click(lambda _e: self._on_stop_superseded())
        self.sources.param.watch(lambda _e: self._show_buttons(), "value")
        self.panel = pn.Card(
            pn.Column(self.running_time, self.detail, margin=0),
            self.messages,
            self.superseded_row,
            self.sources,
            self._params_section(),
            pn.Row(self.start_button, self.stop_button, self.reset_button, margin=(4, 0)),
            self.blocked,
            self.confirm.panel,
            self.action_error,
            header=self.header,
            collapsible=False,
            width=CARD_WIDTH,
            margin=(6, 8),
            # Stable hooks for the browser tests: every card, and this workflow's card.
            css_classes=["ld-workflow-card", f"ld-workflow-{spec.id.name}"],
        )
        self.refresh(force=True)

    @property
    def state(self) -> WorkflowState:
        return self._state

    def refresh(self, *, force: bool = False) -> None:
        """Show the workflow's state if its version moved (or ``force``); tick the time."""
        if self._closed:
            return
        version = self._jobs.workflow_version(self.spec.id)
        if force or version != self._version:
            self._version = version
            self._state = self._jobs.workflow_state(self.spec.id)
            self._read_at = self._clock()
            self._show_state()
        self._show_running_time()

    def refresh_running_time(self) -> None:
        """Advance the running time only (the workflow's version did not move)."""
        if not self._closed:
            self._show_running_time()

    def close(self) -> None:
        """Ignore further refreshes and clicks (idempotent)."""
        self._closed = True
        self.confirm.cancel()

    def _show_state(self) -> None:
        state = self._state
        set_if_changed(
            self.header,
            "object",
            text.header_html(self.spec.title, self.spec.description, state.status),
        )
        set_if_changed(self.detail, "object", text.detail_html(state))
        messages = text.messages_html(state.errors, state.warnings)
        set_if_changed(self.messages, "object", messages)
        set_if_changed(self.messages, "visible", bool(messages))
        note = text.superseded_text(len(state.superseded_jobs))
        set_if_changed(
            self.superseded_note,
            "object",
            f'<div class="ld-superseded">{note}</div>' if note else "",
        )
        set_if_changed(self.superseded_row, "visible", bool(note))
        self._show_buttons()

    def _show_running_time(self) -> None:
        seconds = self._state.running_time_s
        if seconds is not None and self._state.running:
            seconds += max(0.0, self._clock() - self._read_at)
        shown = text.running_text(seconds if self._state.running else None)
        set_if_changed(
            self.running_time, "object", f'<div class="ld-running">{shown}</div>' if shown else ""
        )

    def _show_buttons(self) -> None:
        running = self._state.running
        set_if_changed(self.start_button, "label", "Restart" if running else "Start")
        set_if_changed(self.start_button, "icon", icons.RESTART if running else icons.PLAY)
        set_if_changed(self.start_button, "disabled", bool(self._start_blocked()))
        set_if_changed(self.stop_button, "disabled", not running)
        set_if_changed(self.reset_button, "disabled", not running or not self.spec.supports_reset)
        reason = self._start_blocked()
        set_if_changed(
            self.blocked, "object", f'<div class="ld-muted">{reason}</div>' if reason else ""
        )

    def _start_blocked(self) -> str:
        if not self.form.is_valid:
            return FIX_PARAMS
        if not self.sources.value:
            return SELECT_SOURCE
        return ""

    def _on_start(self) -> None:
        if self._closed or self._start_blocked():
            return
        if self._state.running:
            self.confirm.ask(
                f"Restart {self.spec.title}? Its accumulated data is discarded.",
                self._commit,
                confirm_label="Restart",
            )
        else:
            self._commit()

    def _on_stop(self) -> None:
        if self._closed or not self._state.running:
            return
        self.confirm.ask(
            f"Stop {self.spec.title}? Its accumulated data is lost.",
            lambda: self._run(lambda: self._orchestrator.stop(self.spec.id)),
            confirm_label="Stop",
        )

    def _on_reset(self) -> None:
        if self._closed or not self._state.running or not self.spec.supports_reset:
            return
        self.confirm.ask(
            f"Reset {self.spec.title}? Its accumulated data is cleared.",
            lambda: self._run(lambda: self._orchestrator.reset(self.spec.id)),
            confirm_label="Reset",
        )

    def _on_stop_superseded(self) -> None:
        jobs = list(self._state.superseded_jobs)
        if self._closed or not jobs:
            return
        self.confirm.ask(
            f"Stop {text.superseded_text(len(jobs))}? Their accumulated data is lost.",
            lambda: self._run(lambda: self._orchestrator.stop_jobs(self.spec.id, jobs)),
            confirm_label="Stop them",
        )

    def _commit(self) -> None:
        sources = list(self.sources.value)
        params = self.form.value

        def commit() -> None:
            self._orchestrator.stage_sources(self.spec.id, sources)
            self._orchestrator.stage_params(self.spec.id, params)
            self._orchestrator.commit(self.spec.id)

        self._run(commit)

    def _run(self, action: Callable[[], object]) -> None:
        if self._closed:
            return
        problem = ""
        try:
            action()
        except InvalidParamsError as err:
            self.form.show_errors(err.errors)
            problem = str(err)
        except _EXPECTED as err:
            problem = str(err)
        except Exception as err:  # a click must never raise into Panel
            logger.exception("workflow_action_failed", workflow=str(self.spec.id))
            problem = f"Unexpected error: {err}"
        set_if_changed(
            self.action_error,
            "object",
            f'<div class="ld-action-error">{html.escape(problem)}</div>',
        )
        set_if_changed(self.action_error, "visible", bool(problem))
        self.refresh(force=True)

    def _params_section(self) -> pn.viewable.Viewable:
        if not self.form.has_fields:
            return pn.pane.HTML(
                f'<div class="ld-muted">{NO_PARAMETERS}</div>', stylesheets=[CARD_CSS]
            )
        return pn.Card(
            self.form.panel,
            title="Parameters",
            collapsed=True,
            sizing_mode="stretch_width",
            margin=(4, 4),
        )
