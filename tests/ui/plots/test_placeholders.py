"""Titles and state messages of layers (pure)."""

from __future__ import annotations

from livedash.plots.layer_state import LayerState
from livedash.plots.views import LayerView
from livedash.ui.plots.placeholders import (
    LayerMessage,
    LayerText,
    header_html,
    layer_title,
    placeholder_html,
    stopped_badge_html,
)

from .data import MONITOR, PANEL, dummy
from .harness import layer, ref


def view_in(state: LayerState, error: str | None = None) -> LayerView:
    return LayerView(
        config=layer(ref(PANEL, "panel_0")), state=state, error=error, plot=None, version=1
    )


def text(running: bool = False) -> LayerText:
    return LayerText(instrument=dummy(), running=lambda _w: running)


def test_a_layer_without_title_is_named_by_workflow_source_and_output() -> None:
    title = layer_title(layer(ref(MONITOR, "monitor1", "current")), dummy())
    assert title == "Beam monitor: monitor1 (Histogram update)"


def test_a_layer_title_wins() -> None:
    config = layer(ref(MONITOR, "monitor1")).model_copy(update={"title": "Upstream"})
    assert layer_title(config, dummy()) == "Upstream"


def test_an_error_text_is_escaped_and_kept_whole() -> None:
    message = text().message(
        view_in(LayerState.ERROR).config, view_in(LayerState.ERROR, "a <b>\nc")
    )
    assert message == LayerMessage("a <b>\nc", tone="error")
    assert "a &lt;b&gt;\nc" in placeholder_html([("t", message)])


def test_a_layer_not_published_yet_is_being_prepared() -> None:
    config = layer(ref(PANEL, "panel_0"))
    assert text().message(config, None).tone == "muted"


def test_several_messages_are_listed_with_their_titles() -> None:
    html = placeholder_html([("One", LayerMessage("a")), ("Two", LayerMessage("b"))])
    assert "One" in html
    assert "Two" in html


def test_header_badges_only_for_waiting_and_error() -> None:
    html = header_html(
        [("A", LayerState.READY), ("B", LayerState.STOPPED), ("C", LayerState.ERROR)]
    )
    assert html.count("ld-state ") == 1
    assert "ld-state-error" in html


def test_the_badge_names_the_stopped_layers_when_only_some_stopped() -> None:
    assert stopped_badge_html(["A"], total=1) == '<span class="ld-stopped-badge">stopped</span>'
    assert "stopped: A" in stopped_badge_html(["A"], total=2)
    assert stopped_badge_html([], total=2) == ""
