"""What a workflow card says about its state: badge, texts and messages (pure, no Panel).

Every function returns plain text or a small HTML fragment; the card compares it with
what it shows and touches the page only when it differs.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from ...session.workflow_state import WorkflowState, WorkflowStatus
from ..system_status.formatting import format_duration

_BADGES = {
    WorkflowStatus.STOPPED: ("STOPPED", "ld-badge-stopped"),
    WorkflowStatus.PENDING: ("PENDING", "ld-badge-pending"),
    WorkflowStatus.ACTIVE: ("ACTIVE", "ld-badge-active"),
    WorkflowStatus.WARNING: ("WARNING", "ld-badge-warning"),
    WorkflowStatus.ERROR: ("ERROR", "ld-badge-error"),
    WorkflowStatus.WAITING_FOR_CONTEXT: ("WAITING FOR CONTEXT", "ld-badge-context"),
}

OWN = "Started by this session"
ADOPTED = "Adopted: started elsewhere"


def badge(status: WorkflowStatus) -> tuple[str, str]:
    """The badge text and CSS class of ``status``."""
    return _BADGES[status]


def header_html(title: str, description: str, status: WorkflowStatus) -> str:
    """The card header: the workflow title (description as tooltip) and the status badge."""
    label, css = badge(status)
    return (
        '<div class="ld-card-head">'
        f'<span class="ld-card-title" title="{_e(description)}">{_e(title)}</span>'
        f'<span class="ld-badge {css}">{_e(label)}</span></div>'
    )


def origin_text(state: WorkflowState) -> str:
    """Who started the running generation; empty when stopped."""
    if not state.running:
        return ""
    return OWN if state.own else ADOPTED


def detail_html(state: WorkflowState) -> str:
    """The reason line (``Waiting for backend...``, ``Backend shut down``) and origin."""
    parts = [state.reason or "", origin_text(state)]
    if state.running and len(state.jobs) > 1:
        parts.append(", ".join(f"{src}: {job.value}" for src, job in state.jobs.items()))
    text = " | ".join(p for p in parts if p)
    return f'<div class="ld-muted">{_e(text)}</div>' if text else ""


def running_text(seconds: float | None) -> str:
    """``Running for 3 min 05 s``; empty while the start time is unknown."""
    if seconds is None:
        return ""
    return f"Running for {format_duration(seconds)}"


def messages_html(errors: Iterable[str], warnings: Iterable[str]) -> str:
    """The backend's error and warning texts: first line visible, the rest expandable."""
    blocks = [_message(text, "ld-msg-error") for text in errors]
    blocks += [_message(text, "ld-msg-warning") for text in warnings]
    return "".join(blocks)


def superseded_text(count: int) -> str:
    """``1 superseded job still running``; empty for none."""
    if count <= 0:
        return ""
    noun = "job" if count == 1 else "jobs"
    return f"{count} superseded {noun} still running"


def _message(text: str, css: str) -> str:
    lines = text.strip().splitlines() or [""]
    first, rest = lines[0], "\n".join(lines[1:]).strip()
    if not rest:
        return f'<div class="ld-msg {css}">{_e(first)}</div>'
    return (
        f'<details class="ld-msg {css}"><summary>{_e(first)}</summary>'
        f"<pre>{_e(text.strip())}</pre></details>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
