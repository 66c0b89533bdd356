"""How long one browser session's page (its views) takes to build on the IOLoop.

Runs the fake backend in a thread on the in-memory transport, writes the load
benchmark's layout (four live plots: a 128x128 image, a 3-D layered image slicer, a
monitor histogram and a time series, :mod:`benchmarks.load.scenario`) and starts its
four workflows. Then, ``--sessions`` times after one warm-up, it builds a
:class:`~livedash.session.stack.SessionStack`, waits until every plot of the layout has
data (``--no-data``: only until the layout shows, every plot waiting), and on this
thread, as the worker does on its IOLoop:

- **build**: the views, with :func:`livedash.ui.app.default_views` (what
  ``session_views_built seconds=…`` logs), with a fresh Bokeh ``Document`` as Panel's
  current document;
- **render**: the page body Panel shows once the page has loaded (the tabs, ``dynamic``
  as :meth:`livedash.ui.page.SessionPage.show_tabs` makes them) turned into Bokeh
  models and added to the document;
- **json**: ``doc.to_json()``, the document Bokeh serializes for the browser.

Prints warm-up and median/p95 (ms) of each step and of their sum, as wall time and as
CPU time of this thread (less sensitive to other processes and to the session threads
holding the GIL), the Bokeh models in the document afterwards, and the Panel objects the
views hold (all of them, and those not visible). Numbers only, no pass/fail. Run from the
repository root::

    .venv/bin/python -m benchmarks.view_build --sessions 20
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import threading
import time
import uuid
from collections.abc import Callable

import panel as pn
from bokeh.document import Document
from panel.io.state import set_curdoc

from benchmarks.load.scenario import PLOTS, load_gridset, workflow_id
from livedash.backend.service import BackendTopics, FakeBackend
from livedash.backend.settings import BackendSettings
from livedash.instruments import Instrument, load_instrument
from livedash.kafka.memory import InMemoryBroker
from livedash.logs import configure_logging
from livedash.plots.layer_state import LayerState
from livedash.protocol.topics import livedata_topic_specs
from livedash.session.stack import SessionStack
from livedash.session.transport import TransportFactory, memory_transport_factory
from livedash.store.layout import read_layout, write_layout
from livedash.ui import bokeh_speedups
from livedash.ui.app import ViewContext, default_views

WORKER_ID = str(uuid.uuid4())
STEPS = ("build", "render", "json", "total")


def wait_for(predicate: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout_s} s")
        time.sleep(0.01)  # a benchmark, not a test: polling is what a reader would do


def layer_ids(stack: SessionStack) -> list[uuid.UUID]:
    snapshot = read_layout(stack.store)
    if snapshot is None:
        return []
    return [layer.layer_id for _g, _c, layer in snapshot.gridset.layers()]


def ready(stack: SessionStack, *, data: bool) -> bool:
    snapshot = read_layout(stack.store)
    if snapshot is None or snapshot.gridset != load_gridset(stack.instrument.name):
        return False
    views = [stack.plots.view(layer_id) for layer_id in layer_ids(stack)]
    if any(view is None for view in views):
        return False
    return not data or all(view.state is LayerState.READY for view in views)  # type: ignore[union-attr]


def start_backend(broker: InMemoryBroker, instrument: Instrument) -> Callable[[], None]:
    topics = BackendTopics.for_instrument(instrument.name)
    backend = FakeBackend(
        instrument=instrument,
        settings=BackendSettings(
            instrument=instrument.name, update_interval_s=1.0, heartbeat_interval_s=1.0, seed=1
        ),
        source=broker.consumer(topics=topics.inputs),
        sink=broker.producer(client_id="backend"),
    )
    stop = threading.Event()
    thread = threading.Thread(target=backend.run, args=(stop,), name="fake-backend", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(10.0)

    return stopper


def prepare(factory: TransportFactory, instrument: Instrument) -> SessionStack:
    """A session that writes the load layout and starts its four workflows (kept open)."""
    admin = SessionStack(transport_factory=factory, instrument=instrument, worker_id=WORKER_ID)
    admin.start()
    wait_for(lambda: read_layout(admin.store) is not None, timeout_s=30.0)
    wanted = load_gridset(instrument.name)
    write_layout(admin.store, wanted, base=read_layout(admin.store))
    wait_for(lambda: read_layout(admin.store).gridset == wanted, timeout_s=30.0)  # type: ignore[union-attr]
    for plot in PLOTS:
        admin.orchestrator.commit(workflow_id(instrument.name, plot))
    wait_for(lambda: ready(admin, data=True), timeout_s=60.0)
    return admin


def count_panel_objects(root: pn.viewable.Viewable) -> tuple[int, int]:
    objects = list(root.select())
    return len(objects), sum(1 for obj in objects if not getattr(obj, "visible", True))


def one_session(
    factory: TransportFactory, instrument: Instrument, *, data: bool
) -> tuple[dict[str, tuple[float, float]], int, tuple[int, int]]:
    stack = SessionStack(transport_factory=factory, instrument=instrument, worker_id=WORKER_ID)
    stack.start()
    try:
        wait_for(lambda: ready(stack, data=data), timeout_s=60.0)
        doc = Document()
        marks = [(time.perf_counter(), time.thread_time())]
        with set_curdoc(doc):
            views = default_views(ViewContext(stack=stack, clock=time.monotonic))
            marks.append((time.perf_counter(), time.thread_time()))
            body = pn.Tabs(*views.tabs, dynamic=True, sizing_mode="stretch_both")
            doc.add_root(body.get_root(doc))
            marks.append((time.perf_counter(), time.thread_time()))
            doc.to_json()
            marks.append((time.perf_counter(), time.thread_time()))
        models = len(doc.models)
        counts = [count_panel_objects(panel) for _title, panel in views.tabs]
        objects = (sum(c[0] for c in counts), sum(c[1] for c in counts))
        for view in views.views:
            view.close()
        body._cleanup(doc.roots[0])  # what Panel does when the session is destroyed
        bounds = [*itertools.pairwise(marks), (marks[0], marks[-1])]
        times = {
            step: (end[0] - start[0], end[1] - start[1])
            for step, (start, end) in zip(STEPS, bounds, strict=True)
        }
        return times, models, objects
    finally:
        stack.close()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument(
        "--no-data", action="store_true", help="build before any plot has data (placeholders)"
    )
    parser.add_argument(
        "--bokeh-as-is",
        action="store_true",
        help="without livedash.ui.bokeh_speedups (which workers install; ADR 0014)",
    )
    args = parser.parse_args()
    if args.sessions < 1:
        parser.error(f"--sessions must be at least 1, got {args.sessions}")
    configure_logging("ERROR")
    if not args.bokeh_as_is:
        bokeh_speedups.install()
    pn.extension()
    instrument = load_instrument("dummy")
    broker = InMemoryBroker(topics=livedata_topic_specs(instrument.name))
    factory = memory_transport_factory(broker)
    stop_backend = start_backend(broker, instrument)
    admin = prepare(factory, instrument)
    data = not args.no_data
    try:
        warm, models, objects = one_session(factory, instrument, data=data)
        runs = [one_session(factory, instrument, data=data)[0] for _ in range(args.sessions)]
    finally:
        admin.close()
        stop_backend()
    what = "four plots with data" if data else "four plots waiting for data"
    print(f"== views of one session: {what}, {args.sessions} sessions after one warm-up ==")
    print(f"{'':<8}{'wall time (ms)':^30}  {'CPU time of the thread (ms)':^30}")
    print(f"{'step':<8}" + f"{'warm-up':>10}{'median':>10}{'p95':>10}" * 2)
    for step in STEPS:
        row = f"{step:<8}"
        for kind in (0, 1):
            values = [run[step][kind] for run in runs]
            row += f"{warm[step][kind] * 1e3:10.1f}{statistics.median(values) * 1e3:10.1f}"
            row += f"{p95(values) * 1e3:10.1f}"
        print(row)
    print(f"Bokeh models in the document   {models}")
    print(f"Panel objects in the views     {objects[0]} ({objects[1]} not visible)")


if __name__ == "__main__":
    main()
