"""The Plots tab in headless Chromium: a 2x2 grid renders, updates do not touch the DOM.

Serves :class:`~.served.LiveDemo` with ``pn.serve`` in a thread on a free port (no
Kafka). The screenshot goes to /tmp/livedash-plots-2x2.png for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.helpers import wait_until

from .served import LiveDemo, free_port, listening, serve

SCREENSHOT = Path("/tmp/livedash-plots-2x2.png")
TIMEOUT_MS = 20_000

# Counts elements added or removed (and attribute changes) in the document and in every
# shadow root, where Panel and Bokeh render; remembers the canvases present now. Text
# nodes are not counted: on every canvas repaint Bokeh rewrites the text of each
# renderer's <style> (its position), which replaces no element.
OBSERVE = """
() => {
  window.__mutations = {nodes: 0, attributes: 0};
  const seen = new Set();
  const observe = (root) => {
    if (seen.has(root)) return;
    seen.add(root);
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'childList') {
          const elements = [...r.addedNodes, ...r.removedNodes].filter((n) => n.nodeType === 1);
          window.__mutations.nodes += elements.length;
        } else {
          window.__mutations.attributes += 1;
        }
      }
    }).observe(root, {childList: true, subtree: true, attributes: true});
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) observe(el.shadowRoot);
  };
  observe(document);
  window.__canvases = [];
  const collect = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'CANVAS') window.__canvases.push(el);
      if (el.shadowRoot) collect(el.shadowRoot);
    }
  };
  collect(document);
  return window.__canvases.length;
}
"""

# Counts, in the browser, changes of one ColumnDataSource's data.
WATCH_SOURCE = """
(id) => {
  const source = Bokeh.documents[0].get_model_by_id(id);
  window.__data_changes = 0;
  source.properties.data.change.connect(() => { window.__data_changes += 1; });
  source.streaming.connect(() => { window.__data_changes += 1; });
}
"""


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, LiveDemo, list[str]]]:
    demo, port = LiveDemo(), free_port()
    server = serve(demo, port)
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        wait_until(lambda: listening(port), 20, message="the test server did not start")
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function(
            "() => window.Bokeh && Bokeh.documents.length > 0 && Bokeh.documents[0].is_idle",
            timeout=TIMEOUT_MS,
        )
        yield page, demo, errors
    finally:
        page.close()
        server.stop()


def image_source_id(demo: LiveDemo) -> str:
    world = demo.sessions[-1].world
    (presenter,) = world.cell(demo.image.layer_id).plot.presenters
    return presenter.figure.renderers[0].data_source.id  # type: ignore[attr-defined]


def test_a_2x2_grid_of_live_plots_renders(page) -> None:
    page, demo, errors = page
    page.evaluate(WATCH_SOURCE, image_source_id(demo))
    demo.advance()
    page.wait_for_function("() => window.__data_changes >= 1", timeout=TIMEOUT_MS)
    page.screenshot(path=str(SCREENSHOT))
    canvases = page.evaluate(OBSERVE)
    assert canvases >= 4
    assert page.get_by_text("Panel 0: panel_0 (Image)").count() == 1
    assert page.get_by_text("layer 0 · 1 of 4").count() == 1
    assert errors == []


def test_updates_change_no_dom_node_and_a_new_shape_does(page) -> None:
    page, demo, _errors = page
    page.evaluate(OBSERVE)
    page.evaluate(WATCH_SOURCE, image_source_id(demo))
    for count in range(1, 6):
        demo.advance()
        page.wait_for_function(f"() => window.__data_changes >= {count}", timeout=TIMEOUT_MS)
    page.wait_for_function("() => Bokeh.documents[0].is_idle", timeout=TIMEOUT_MS)
    updates = page.evaluate("() => window.__mutations.nodes")
    connected = page.evaluate("() => window.__canvases.every((c) => c.isConnected)")
    demo.reshape()
    page.wait_for_function("() => window.__mutations.nodes > 0", timeout=TIMEOUT_MS)
    replaced = page.evaluate("() => window.__canvases.filter((c) => !c.isConnected).length")
    assert (updates, connected) == (0, True)
    assert replaced >= 1
