"""The browser heartbeat widget: what it reports to Python and what its script listens to.

The script's behaviour in a real browser is covered by tests/e2e.
"""

from __future__ import annotations

import pytest
from bokeh.document import Document

from livedash.ui.heartbeat_widget import BrowserHeartbeat
from livedash.ui.lifecycle import BrowserReport


def test_a_new_widget_reports_a_visible_live_page():
    assert BrowserHeartbeat().report() == BrowserReport()


def test_the_report_follows_what_the_page_set():
    widget = BrowserHeartbeat()
    widget.param.update(tick=7, page_visible=False, page_frozen=True, page_closing=True)
    assert widget.report() == BrowserReport(tick=7, visible=False, frozen=True, closing=True)


def test_the_tick_interval_is_configurable_but_not_below_half_a_second():
    assert BrowserHeartbeat(interval_s=2.0).interval_s == 2.0
    with pytest.raises(ValueError, match="interval_s"):
        BrowserHeartbeat(interval_s=0.1)


def test_the_rendered_model_carries_the_reported_properties():
    widget = BrowserHeartbeat(interval_s=3.0)
    model = widget.get_root(Document())
    assert model.data.interval_s == 3.0
    assert {"tick", "page_visible", "page_frozen", "page_closing"} <= set(model.data.properties())


@pytest.mark.parametrize(
    "listener",
    [
        'addEventListener("visibilitychange"',
        'addEventListener("freeze"',
        'addEventListener("resume"',
        'addEventListener("pagehide"',
        'addEventListener("pageshow"',
        'on_event("connection_lost"',
        "setInterval(",
    ],
)
def test_the_script_listens_to_every_lifecycle_signal(listener):
    assert listener in BrowserHeartbeat._esm
