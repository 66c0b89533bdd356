"""What one session's tick costs with 4 and with 10 live plots at 1 Hz, and its memory.

A real :class:`~livedash.session.stack.SessionStack` on the in-memory transport, fed
wire-shaped results: the fake backend's own jobs (``livedash.backend.jobs``, the
synthesizers of ``livedash.backend.synth``) step one simulated second at a time and
every output is encoded with ``encode_result`` and published, with job heartbeats and
acknowledgements, as ``livedash fake-backend`` does. The broker is therefore out of
the picture; what is measured is livedash. Nothing sleeps: each loop iteration is one
second of data.

Layouts (one grid, one layer per cell, the ``dummy`` instrument):

- 4 plots: panel_0 image (128x128), panel_0 layers (3-D 4x32x128, one slice shown),
  monitor1 histogram (100 bins with variances), motion1 time series;
- 10 plots: image, 3-D, monitor1 and monitor2 histograms, time series, twice each
  (the second five read the same results as the first: the data arriving per second
  is that of 5 plots, the compute and drawing that of 10).

Per tick (each simulated second), for one session:

- ``route``: the pump polls and routes the second's messages (decoding the results
  some layer shows, skipping the others by their key);
- ``compute``: ``PlotOrchestrator.tick()``: every layer whose data changed gets a new
  plot state (on the pump thread in the real session);
- ``refresh``: ``PlotsView.refresh()`` inside the updater's batch
  (``livedash.ui.document.batched``) on a Bokeh ``Document`` holding the page's
  models, with the current document set as Panel's (as in a served session);
- ``patch``: serialising the resulting document events into ``PATCH-DOC`` messages,
  as the Bokeh server does for the websocket (time, and bytes per tick).

p50/p95/max over ``--ticks`` ticks after ``--warmup`` ticks. Memory: ``--sessions``
sessions (stack, Plots tab and document each) run ``--memory-seconds`` of data; the
traced Python memory (``tracemalloc``, numpy arrays included) and the RSS growth are
compared with a run of the same backend without sessions, and divided by the number
of sessions.

Run from the repository root::

    .venv/bin/python benchmarks/session_tick.py            # prints, writes JSON
    .venv/bin/python benchmarks/session_tick.py --ticks 60 --sessions 6
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import panel as pn
from bokeh.document import Document
from bokeh.document.events import DocumentPatchedEvent
from bokeh.protocol import Protocol
from panel.io.state import set_curdoc

from livedash.backend.faults import FaultPlan
from livedash.backend.jobs import Job, JobManager
from livedash.instruments import Instrument, load_instrument
from livedash.kafka.memory import InMemoryBroker
from livedash.logs import configure_logging
from livedash.plots.model import Cell, DataRef, Grid, GridSet, LayerConfig
from livedash.protocol.acks import Acknowledgement, AckResponse, encode_ack
from livedash.protocol.commands import WorkflowConfig, decode_command
from livedash.protocol.ids import ResultKey, WorkflowId
from livedash.protocol.results import encode_result
from livedash.protocol.status import encode_job_status
from livedash.protocol.topics import livedata_topic_specs
from livedash.session.stack import SessionStack
from livedash.session.topics import SessionTopics
from livedash.session.transport import memory_transport_factory
from livedash.store.config_store import ConfigStore
from livedash.store.layout import write_layout
from livedash.ui.document import batched
from livedash.ui.plots import PlotsView

INSTRUMENT = "dummy"
WORKER_ID = str(uuid.uuid4())
T0_NS = 1_763_700_000_000_000_000
SECOND_NS = 1_000_000_000
_PAGE = os.sysconf("SC_PAGE_SIZE")
RESULTS = Path(__file__).parent / "results" / "session_tick.json"

# (workflow, source, output) of each plot.
IMAGE = ("panel_0_xy", "panel_0", "cumulative")
SLICES = ("panel_0_layers", "panel_0", "cumulative")
HISTOGRAM_1 = ("monitor_histogram", "monitor1", "cumulative")
HISTOGRAM_2 = ("monitor_histogram", "monitor2", "cumulative")
SERIES = ("timeseries_data", "motion1", "delta")
LAYOUTS: dict[int, list[tuple[str, str, str]]] = {
    4: [IMAGE, SLICES, HISTOGRAM_1, SERIES],
    10: [IMAGE, SLICES, HISTOGRAM_1, HISTOGRAM_2, SERIES] * 2,
}


@dataclass(frozen=True)
class Spent:
    """Wall-clock and CPU (this thread) seconds of one measured step. The CPU time is
    what the step costs; the wall time also holds waiting for a core on a busy machine."""

    wall: float = 0.0
    cpu: float = 0.0

    def __add__(self, other: Spent) -> Spent:
        return Spent(self.wall + other.wall, self.cpu + other.cpu)


class Stopwatch:
    def __init__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.thread_time()

    def spent(self) -> Spent:
        return Spent(time.perf_counter() - self._wall, time.thread_time() - self._cpu)


def rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


def layout_of(instrument: Instrument, plots: list[tuple[str, str, str]]) -> GridSet:
    ncols = 2 if len(plots) <= 4 else 5
    nrows = -(-len(plots) // ncols)
    cells = []
    for index, (workflow, source, output) in enumerate(plots):
        ref = DataRef(
            workflow_id=WorkflowId(instrument=instrument.name, name=workflow, version=1),
            source_name=source,
            output_name=output,
        )
        layer = LayerConfig(roles={"primary": ref})
        cells.append(Cell(row=index // ncols, col=index % ncols, layers=(layer,)))
    return GridSet(grids=(Grid(title="Bench", nrows=nrows, ncols=ncols, cells=tuple(cells)),))


class Clock:
    """The sessions' monotonic clock, standing still: the pump then runs its tickers
    only when the benchmark calls ``pump.tick()``, never inside routing (heartbeats
    arrive every simulated second, so nothing goes stale)."""

    def __call__(self) -> float:
        return 1000.0


class Backend:
    """The fake backend's jobs on the in-memory broker, stepped one second at a time."""

    def __init__(self, broker: InMemoryBroker, instrument: Instrument) -> None:
        self._instrument = instrument
        self._topics = SessionTopics.for_instrument(instrument.name)
        self._commands = broker.consumer([self._topics.commands], start="beginning")
        self._sink = broker.producer(client_id="bench-backend")
        self._managers: dict[str, JobManager] = {}
        self.jobs: list[Job] = []
        self.now_ns = T0_NS
        self.published_bytes = 0

    def process_commands(self) -> None:
        """Start a job per WorkflowConfig and acknowledge it (device = source)."""
        for message in self._commands.poll_batch(max_messages=1000, timeout_s=0.001):
            command = decode_command(message.value)
            if not isinstance(command, WorkflowConfig):
                continue
            spec = self._instrument.workflow(command.identifier)
            manager = self._managers.setdefault(
                spec.service,
                JobManager(
                    instrument=self._instrument,
                    service_name=spec.service,
                    faults=FaultPlan(),
                    seed=np.random.SeedSequence(len(self._managers)),
                ),
            )
            self.jobs.append(
                manager.schedule(
                    spec, job_id=command.job_id, params=command.params, now_ns=self.now_ns
                )
            )
            ack = Acknowledgement(
                message_id=command.message_id,
                device=command.job_id.source_name,
                response=AckResponse.ACK,
                message=None,
            )
            self._sink.produce(self._topics.responses, encode_ack(ack))

    def step(self) -> None:
        """One second of every job: all outputs, then a heartbeat per job."""
        self.now_ns += SECOND_NS
        for job in self.jobs:
            for output, data in job.step(self.now_ns).items():
                key = ResultKey(workflow_id=job.spec.id, job_id=job.job_id, output_name=output)
                value = encode_result(key, data, timestamp_ns=job.start_time or self.now_ns)
                self.published_bytes += len(value)
                self._sink.produce(self._topics.data, value)
        for job in self.jobs:
            value = encode_job_status(job.status(), host_name="bench", process_id=1)
            self._sink.produce(self._topics.status, value)


@dataclass
class Session:
    """One session: its stack, Plots tab and Bokeh document."""

    stack: SessionStack
    view: PlotsView
    doc: Document
    events: list[DocumentPatchedEvent] = field(default_factory=list)

    def route(self) -> Spent:
        """Route everything that arrived (tickers do not run: the clock stands still);
        the time spent on the batches that held messages."""
        spent = Spent()
        while True:
            watch = Stopwatch()
            routed = self.stack.pump.run_once()
            if not routed:
                return spent
            spent += watch.spent()

    def refresh(self) -> Spent:
        watch = Stopwatch()
        with set_curdoc(self.doc), batched(self.doc):
            self.view.refresh()
        return watch.spent()

    def patches(self) -> tuple[Spent, int, int]:
        """Serialise the events of the last refresh as the server would: time spent,
        bytes, messages."""
        events, self.events = self.events, []
        watch = Stopwatch()
        size = 0
        for event in events:
            message = Protocol().create("PATCH-DOC", [event])
            size += len(message.header_json) + len(message.metadata_json)
            size += len(message.content_json)
            size += sum(len(buffer.to_bytes()) for buffer in message.buffers)
        return watch.spent(), size, len(events)

    def close(self) -> None:
        self.view.close()
        self.stack.close()


class Bench:
    """An in-memory broker, the layout on its configuration topic, a backend, sessions."""

    def __init__(self, instrument: Instrument, plots: list[tuple[str, str, str]]) -> None:
        self.instrument = instrument
        self.broker = InMemoryBroker(topics=livedata_topic_specs(instrument.name))
        self.topics = SessionTopics.for_instrument(instrument.name)
        self.clock = Clock()
        self.backend = Backend(self.broker, instrument)
        self.gridset = layout_of(instrument, plots)
        self.plots = plots
        writer = ConfigStore(
            sink=self.broker.producer(client_id="bench-layout"),
            topic=self.topics.livedash_config,
            writer_id=str(uuid.uuid4()),
        )
        write_layout(writer, self.gridset, base=None)
        self.sessions: list[Session] = []

    def session(self) -> Session:
        stack = SessionStack(
            transport_factory=memory_transport_factory(self.broker),
            instrument=self.instrument,
            worker_id=WORKER_ID,
            clock=self.clock,
            wall_ns=lambda: self.backend.now_ns,
        )
        view = PlotsView(
            plots=stack.plots,
            store=stack.store,
            instrument=self.instrument,
            jobs=stack.jobs,
            clock=self.clock,
        )
        doc = Document()
        with set_curdoc(doc):
            doc.add_root(view.panel.get_root(doc))
        doc.models.flush_synced()  # what the browser pulled with the page
        # As in a served session whose browser is connected, on this (the IOLoop's)
        # thread: Panel then releases a refresh's events to the document's listeners at
        # the end of the batch instead of dropping them or deferring them to a next tick.
        pn.state._connected[doc] = True
        with set_curdoc(doc):
            pn.state._thread_id = threading.get_ident()
        session = Session(stack, view, doc)
        doc.on_change(
            lambda event: (
                session.events.append(event) if isinstance(event, DocumentPatchedEvent) else None
            )
        )
        self.sessions.append(session)
        return session

    def start_workflows(self, session: Session) -> None:
        """``session`` starts every workflow of the layout (one commit per workflow)."""
        sources: dict[str, list[str]] = {}
        for workflow, source, _output in self.plots:
            if source not in sources.setdefault(workflow, []):
                sources[workflow].append(source)
        for workflow, names in sources.items():
            workflow_id = WorkflowId(instrument=self.instrument.name, name=workflow, version=1)
            session.stack.orchestrator.stage_sources(workflow_id, names)
            session.stack.orchestrator.commit(workflow_id)
        self.backend.process_commands()

    def second(self) -> None:
        """One second of data, routed by every session, with the pump's tickers run."""
        self.backend.step()
        for session in self.sessions:
            session.route()
        for session in self.sessions:
            session.stack.pump.tick()
            session.refresh()
            session.patches()

    def settle(self, seconds: int) -> None:
        for _ in range(seconds):
            self.second()

    def ready_layers(self, session: Session) -> int:
        views = session.stack.plots.changed_since({}).changed.values()
        return sum(1 for v in views if v.state.value == "ready")

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        self.sessions = []


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: list[Spent]) -> dict[str, float]:
    """p50/p95 of the CPU time and of the wall time, in ms."""
    cpu = [s.cpu for s in samples]
    wall = [s.wall for s in samples]
    return {
        "cpu_p50_ms": round(statistics.median(cpu) * 1e3, 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95) * 1e3, 2),
        "wall_p50_ms": round(statistics.median(wall) * 1e3, 2),
        "wall_p95_ms": round(percentile(wall, 0.95) * 1e3, 2),
        "wall_max_ms": round(max(wall) * 1e3, 2),
    }


def measure_ticks(instrument: Instrument, plots: list, *, warmup: int, ticks: int) -> dict:
    """Per-tick costs of one session showing ``plots``."""
    bench = Bench(instrument, plots)
    session = bench.session()
    bench.settle(2)  # the store catches up, the layout is synced
    bench.start_workflows(session)
    bench.settle(warmup)
    if bench.ready_layers(session) != len(plots):
        raise RuntimeError(f"only {bench.ready_layers(session)} of {len(plots)} layers ready")
    samples: dict[str, list[Spent]] = {"route": [], "compute": [], "refresh": [], "patch": []}
    patch_bytes: list[int] = []
    patch_messages: list[int] = []
    builds_before = session.view.stats()["builds"]
    for _ in range(ticks):
        bench.backend.step()
        samples["route"].append(session.route())
        watch = Stopwatch()
        session.stack.plots.tick()
        samples["compute"].append(watch.spent())
        session.stack.pump.tick()  # the other tickers (plots.tick finds nothing new)
        samples["refresh"].append(session.refresh())
        spent, size, count = session.patches()
        samples["patch"].append(spent)
        patch_bytes.append(size)
        patch_messages.append(count)
    stats = session.view.stats()
    result: dict[str, Any] = {name: summary(values) for name, values in samples.items()}
    result["tick"] = summary([sum(tick, Spent()) for tick in zip(*samples.values(), strict=True)])
    result["patch_kib_per_tick"] = round(statistics.median(patch_bytes) / 1024, 1)
    result["patch_messages_per_tick"] = int(statistics.median(patch_messages))
    result["presenter_rebuilds_during_ticks"] = stats["builds"] - builds_before
    result["in_place_updates"] = stats["updates"]
    result["published_kib_per_tick"] = round(
        bench.backend.published_bytes / (warmup + ticks) / 1024, 1
    )
    bench.close()
    return result


@contextmanager
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def memory_growth(run: Callable[[], Any]) -> tuple[float, float]:
    """(traced MiB, RSS MiB) grown while ``run`` ran (after a collection), and kept."""
    gc.collect()
    traced_before, rss_before = tracemalloc.get_traced_memory()[0], rss_mib()
    keep = run()
    gc.collect()
    traced_after, rss_after = tracemalloc.get_traced_memory()[0], rss_mib()
    del keep
    return (traced_after - traced_before) / 2**20, rss_after - rss_before


def measure_memory(instrument: Instrument, plots: list, *, sessions: int, seconds: int) -> dict:
    """Memory per session: ``sessions`` sessions for ``seconds`` of data, minus the same
    backend without sessions (its messages stay in the in-memory broker)."""

    def baseline() -> Bench:
        bench = Bench(instrument, plots)
        first = bench.session()
        bench.settle(2)
        bench.start_workflows(first)
        first.close()
        bench.sessions = []
        bench.settle(seconds)
        return bench

    def with_sessions() -> Bench:
        bench = Bench(instrument, plots)
        first = bench.session()
        for _ in range(sessions - 1):
            bench.session()
        bench.settle(2)
        bench.start_workflows(first)
        bench.settle(seconds)
        ready = [bench.ready_layers(s) for s in bench.sessions]
        if ready != [len(plots)] * sessions:
            raise RuntimeError(f"layers ready per session: {ready}")
        return bench

    # A warm-up session first, so that one-time costs (Bokeh/Panel model classes,
    # caches, imports) are not counted per session.
    warm = with_sessions()
    warm.close()
    del warm
    with traced():
        base_traced, base_rss = memory_growth(baseline)
        all_traced, all_rss = memory_growth(with_sessions)
    return {
        "sessions": sessions,
        "seconds_of_data": seconds,
        "traced_mib_per_session": round((all_traced - base_traced) / sessions, 2),
        "rss_mib_per_session": round((all_rss - base_rss) / sessions, 2),
    }


def machine() -> dict[str, Any]:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(total_kib / 2**20),
        "python": platform.python_version(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=40, help="measured ticks (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="ticks before measuring")
    parser.add_argument("--sessions", type=int, default=4, help="sessions for the memory run")
    parser.add_argument("--memory-seconds", type=int, default=20, help="seconds of data there")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args()
    if args.ticks < 30:
        parser.error("--ticks must be at least 30")
    configure_logging(level="warning")
    pn.extension()
    instrument = load_instrument(INSTRUMENT)
    results: dict[str, Any] = {"machine": machine(), "ticks": args.ticks, "layouts": {}}
    for count, plots in LAYOUTS.items():
        ticks = measure_ticks(instrument, plots, warmup=args.warmup, ticks=args.ticks)
        memory = measure_memory(
            instrument, plots, sessions=args.sessions, seconds=args.memory_seconds
        )
        results["layouts"][str(count)] = {"ticks": ticks, "memory": memory}
        print(f"{count} plots: {json.dumps(ticks)}")
        print(f"{count} plots memory: {json.dumps(memory)}")
    results["machine"]["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
