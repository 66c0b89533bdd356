"""A dashboard tab in headless Chromium, read through the Plots tab's hooks and BokehJS.

The cells carry stable hooks (``ld-cell-<cell_id>`` CSS class; ``data-layer-id`` and
``data-layer-state`` on each layer title), and what a plot shows is read from the
Bokeh views rendered inside a cell (``Bokeh.index``): axis types and labels, colour
bar titles, a summary (length, sum, min, max) of every column of every glyph's data
source, the text of ``Div``s and the title of sliders. Canvases are found the same way.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page

from tests.helpers import wait_until
from tests.worker.process import ServedWorker

RENDER_TIMEOUT_S = 90.0
VIEWPORT = {"width": 1600, "height": 1000}

# The Bokeh views rendered inside the cell with CSS class ``cellClass``.
_CELL_VIEWS = """
const cellViews = (cellClass) => {
  if (!window.Bokeh || !Bokeh.index) return [];
  const inCell = (view) => {
    for (let v = view; v != null && v.model != null; v = v.parent) {
      const classes = v.model.css_classes;
      if (classes && classes.includes(cellClass)) return true;
    }
    return false;
  };
  return [...Bokeh.index.all_views()].filter(inCell);
};
const deepCanvases = (el) => {
  const found = [];
  const visit = (root) => {
    for (const child of root.querySelectorAll('*')) {
      if (child.tagName === 'CANVAS') found.push(child);
      if (child.shadowRoot) visit(child.shadowRoot);
    }
  };
  if (el.tagName === 'CANVAS') found.push(el);
  visit(el);
  if (el.shadowRoot) visit(el.shadowRoot);
  return found;
};
const cellCanvases = (cellClass) => {
  const canvases = new Set();
  for (const view of cellViews(cellClass)) {
    if (view.model.type === 'Figure') for (const c of deepCanvases(view.el)) canvases.add(c);
  }
  return [...canvases];
};
"""

# What the plots of a cell show.
CELL_PLOTS = (
    "(cellClass) => {"
    + _CELL_VIEWS
    + """
  const summary = (column) => {
    let values = column;
    if (column.length && column[0] != null && typeof column[0] === 'object') values = column[0];
    let sum = 0, min = Infinity, max = -Infinity, finite = 0;
    for (const x of values) {
      if (typeof x === 'number' && Number.isFinite(x)) {
        sum += x; finite += 1; if (x < min) min = x; if (x > max) max = x;
      }
    }
    return {len: column.length, values: values.length, finite, sum, min, max};
  };
  const axis = (a) => ({type: a.type, label: a.axis_label == null ? null : String(a.axis_label)});
  return cellViews(cellClass).flatMap((view) => {
    const m = view.model;
    if (m.type === 'Figure') {
      return [{
        type: 'Figure',
        x_axes: m.below.filter((a) => a.type.endsWith('Axis')).map(axis),
        y_axes: m.left.filter((a) => a.type.endsWith('Axis')).map(axis),
        color_bars: m.right.filter((a) => a.type === 'ColorBar').map((b) => String(b.title)),
        renderers: m.renderers.filter((r) => r.data_source != null).map((r) => {
          const data = r.data_source.data;
          const entries = data instanceof Map ? [...data.entries()] : Object.entries(data);
          return {glyph: r.glyph.type,
                  columns: Object.fromEntries(entries.map(([k, c]) => [k, summary(c)]))};
        }),
      }];
    }
    if (m.type === 'Div') return [{type: 'Div', text: String(m.text)}];
    if (m.type === 'Slider') return [{type: 'Slider', title: String(m.title), value: m.value}];
    return [];
  });
}
"""
)

# Remember the canvases of the given cells (and of the whole page) as they are now.
TAG_CANVASES = (
    "(cellClasses) => {"
    + _CELL_VIEWS
    + """
  window.__ldCanvases = Object.fromEntries(cellClasses.map((c) => [c, cellCanvases(c)]));
  window.__ldAllCanvases = deepCanvases(document.documentElement);
  return Object.fromEntries(cellClasses.map((c) => [c, window.__ldCanvases[c].length]));
}
"""
)

# For every tagged cell: are its canvases now exactly the tagged DOM nodes?
CHECK_CANVASES = (
    "() => {"
    + _CELL_VIEWS
    + """
  const result = {};
  for (const [cellClass, tagged] of Object.entries(window.__ldCanvases)) {
    const now = cellCanvases(cellClass);
    result[cellClass] = {
      tagged: tagged.length,
      now: now.length,
      connected: tagged.filter((c) => c.isConnected).length,
      same: now.length === tagged.length && now.every((c) => tagged.includes(c)),
    };
  }
  const all = deepCanvases(document.documentElement);
  result.__page__ = {
    tagged: window.__ldAllCanvases.length,
    now: all.length,
    connected: window.__ldAllCanvases.filter((c) => c.isConnected).length,
    same: all.length === window.__ldAllCanvases.length
      && all.every((c) => window.__ldAllCanvases.includes(c)),
  };
  return result;
}
"""
)


@dataclass(frozen=True)
class Figure:
    """One figure of a cell as the browser has it."""

    x_axes: list[dict[str, Any]]
    y_axes: list[dict[str, Any]]
    color_bars: list[str]
    renderers: list[dict[str, Any]]

    @property
    def x_label(self) -> str | None:
        return self.x_axes[0]["label"] if self.x_axes else None

    @property
    def y_label(self) -> str | None:
        return self.y_axes[0]["label"] if self.y_axes else None

    @property
    def x_type(self) -> str | None:
        return self.x_axes[0]["type"] if self.x_axes else None

    def column(self, glyph: str, name: str) -> dict[str, float]:
        """The summary of column ``name`` of the first renderer drawing ``glyph``."""
        for renderer in self.renderers:
            if renderer["glyph"] == glyph and name in renderer["columns"]:
                return renderer["columns"][name]
        raise KeyError(f"no {glyph} renderer with column {name!r} in {self.renderers}")

    def glyphs(self) -> list[str]:
        return [renderer["glyph"] for renderer in self.renderers]


@dataclass(frozen=True)
class CellPlots:
    """Everything the plots of one cell show."""

    items: list[dict[str, Any]]

    @property
    def figures(self) -> list[Figure]:
        return [
            Figure(
                x_axes=item["x_axes"],
                y_axes=item["y_axes"],
                color_bars=item["color_bars"],
                renderers=item["renderers"],
            )
            for item in self.items
            if item["type"] == "Figure"
        ]

    @property
    def figure(self) -> Figure:
        figures = self.figures
        if not figures:
            raise AssertionError(f"the cell shows no figure: {self.items}")
        return figures[0]

    @property
    def texts(self) -> list[str]:
        return [item["text"] for item in self.items if item["type"] == "Div"]

    @property
    def sliders(self) -> list[dict[str, Any]]:
        return [item for item in self.items if item["type"] == "Slider"]

    @property
    def fingerprint(self) -> str:
        """Changes whenever any drawn value changes (and only then)."""
        return json.dumps(self.items, sort_keys=True)


def first_number(html: str) -> float:
    """The first number in an HTML text (thousands separators allowed)."""
    text = re.sub(r"<[^>]+>", " ", html)
    match = re.search(r"-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?", text)
    if match is None:
        raise AssertionError(f"no number in {text!r}")
    return float(match.group(0).replace(",", ""))


class PlotsPage:
    """One dashboard tab, on the Plots tab."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.context = context
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda err: self.errors.append(str(err)))

    @classmethod
    def start(cls, browser: Browser, worker: ServedWorker) -> PlotsPage:
        """A new tab (own browser context) loading ``worker``'s page (not waited for)."""
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.set_default_timeout(RENDER_TIMEOUT_S * 1000)
            plots = cls(context, page)
            page.goto(worker.page_url, wait_until="commit")
        except BaseException:
            context.close()
            raise
        return plots

    def wait_rendered(self) -> None:
        """Wait until the session's tabs are on the page and BokehJS has the document."""
        self.page.locator(".bk-tab", has_text="Workflows").first.wait_for()
        self.page.wait_for_function("() => window.Bokeh && Bokeh.index && Bokeh.documents.length")

    def close(self) -> None:
        self.context.close()

    # -- layers and cells -----------------------------------------------------------

    def layer_state(self, layer_id: uuid.UUID) -> str | None:
        """``data-layer-state`` of the layer's title, None while it is not on the page."""
        titles = self.page.locator(f'[data-layer-id="{layer_id}"]')
        if titles.count() == 0:
            return None
        return titles.first.get_attribute("data-layer-state")

    def wait_state(self, layer_id: uuid.UUID, *states: str, timeout_s: float = 60.0) -> str:
        """Wait until the layer is in one of ``states``; the state."""

        def reached() -> str | None:
            state = self.layer_state(layer_id)
            return state if state in states else None

        return wait_until(
            reached,
            timeout_s,
            interval_s=0.1,
            message=f"layer {layer_id} not in {states} within {timeout_s} s "
            f"(last: {self.layer_state(layer_id)})",
        )

    def cell(self, cell_id: uuid.UUID) -> Locator:
        """The cell's locator (Playwright's CSS pierces the shadow roots)."""
        return self.page.locator(f".ld-cell-{cell_id}")

    def placeholder_text(self, cell_id: uuid.UUID) -> str:
        return " ".join(self.cell(cell_id).locator(".ld-ph").all_inner_texts())

    def show_grid(self, title: str) -> None:
        """Activate the grid tab called ``title``."""
        self.page.locator(".bk-tab", has_text=title).first.click()

    # -- what the plots show ----------------------------------------------------------

    def plots(self, cell_id: uuid.UUID) -> CellPlots:
        return CellPlots(items=self.page.evaluate(CELL_PLOTS, f"ld-cell-{cell_id}"))

    def wait_plots(self, cell_id: uuid.UUID, timeout_s: float = 60.0) -> CellPlots:
        """The cell's plots once it shows a figure with data."""

        def drawn() -> CellPlots | None:
            plots = self.plots(cell_id)
            has_data = any(
                column["finite"] > 0
                for figure in plots.figures
                for renderer in figure.renderers
                for column in renderer["columns"].values()
            )
            return plots if has_data else None

        return wait_until(drawn, timeout_s, interval_s=0.1, message=f"cell {cell_id} draws nothing")

    def wait_change(
        self, cell_id: uuid.UUID, since: CellPlots, timeout_s: float = 30.0
    ) -> CellPlots:
        """The cell's plots once they differ from ``since`` (a new update was drawn)."""

        def changed() -> CellPlots | None:
            plots = self.plots(cell_id)
            return plots if plots.fingerprint != since.fingerprint else None

        return wait_until(
            changed, timeout_s, interval_s=0.1, message=f"cell {cell_id} did not update"
        )

    def tag_canvases(self, cell_ids: list[uuid.UUID]) -> dict[str, int]:
        return self.page.evaluate(TAG_CANVASES, [f"ld-cell-{c}" for c in cell_ids])

    def check_canvases(self) -> dict[str, dict[str, Any]]:
        return self.page.evaluate(CHECK_CANVASES)
