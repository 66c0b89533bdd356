"""The pure texts of a workflow card."""

from __future__ import annotations

import uuid

import pytest

from livedash.protocol.ids import WorkflowId
from livedash.protocol.status import JobState
from livedash.session.workflow_state import WorkflowState, WorkflowStatus, stopped
from livedash.ui.workflows import status

WID = WorkflowId(instrument="dummy", name="panel_0_xy", version=1)


def running(**fields: object) -> WorkflowState:
    return WorkflowState(
        workflow_id=WID, status=WorkflowStatus.ACTIVE, job_number=uuid.uuid4(), **fields
    )


@pytest.mark.parametrize(
    ("state", "label", "css"),
    [
        (WorkflowStatus.STOPPED, "STOPPED", "ld-badge-stopped"),
        (WorkflowStatus.PENDING, "PENDING", "ld-badge-pending"),
        (WorkflowStatus.ACTIVE, "ACTIVE", "ld-badge-active"),
        (WorkflowStatus.WARNING, "WARNING", "ld-badge-warning"),
        (WorkflowStatus.ERROR, "ERROR", "ld-badge-error"),
        (WorkflowStatus.WAITING_FOR_CONTEXT, "WAITING FOR CONTEXT", "ld-badge-context"),
    ],
)
def test_every_status_has_its_badge(state: WorkflowStatus, label: str, css: str) -> None:
    assert status.badge(state) == (label, css)


def test_the_header_escapes_title_and_description() -> None:
    markup = status.header_html("A<b>", 'say "hi"', WorkflowStatus.ACTIVE)
    assert "A&lt;b&gt;" in markup
    assert 'title="say &quot;hi&quot;"' in markup


def test_a_one_line_message_is_shown_whole() -> None:
    assert status.messages_html(["panel_0: boom"], []) == (
        '<div class="ld-msg ld-msg-error">panel_0: boom</div>'
    )


def test_a_multi_line_message_folds_everything_after_the_first_line() -> None:
    markup = status.messages_html([], ["p: first\nsecond <x>"])
    assert markup.startswith('<details class="ld-msg ld-msg-warning"><summary>p: first</summary>')
    assert "<pre>p: first\nsecond &lt;x&gt;</pre>" in markup


def test_errors_come_before_warnings() -> None:
    markup = status.messages_html(["e"], ["w"])
    assert markup.index("ld-msg-error") < markup.index("ld-msg-warning")


def test_origin_distinguishes_own_from_adopted_and_is_empty_when_stopped() -> None:
    assert status.origin_text(running(own=True)) == status.OWN
    assert status.origin_text(running(own=False)) == status.ADOPTED
    assert status.origin_text(stopped(WID, "Backend shut down")) == ""


def test_detail_shows_the_reason_of_a_stop() -> None:
    assert "Backend shut down" in status.detail_html(stopped(WID, "Backend shut down"))
    assert status.detail_html(stopped(WID)) == ""


def test_detail_lists_per_source_states_of_several_sources() -> None:
    state = running(own=True, jobs={"m1": JobState.ACTIVE, "m2": JobState.ERROR})
    assert "m1: active, m2: error" in status.detail_html(state)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(None, ""), (5.4, "Running for 5 s"), (3725, "Running for 1 h 02 min")],
)
def test_running_text(seconds: float | None, expected: str) -> None:
    assert status.running_text(seconds) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, ""), (1, "1 superseded job still running"), (3, "3 superseded jobs still running")],
)
def test_superseded_text(count: int, expected: str) -> None:
    assert status.superseded_text(count) == expected
