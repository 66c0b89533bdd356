"""How much one browser session's service stack costs: construction time and memory.

Builds ``--sessions`` stacks of the ``dummy`` instrument one after the other, over the
in-memory transport and/or a real broker (an embedded Tansu started here unless
``--kafka-bootstrap`` names one), starts them, waits until every one shows its plot
layout (the configuration store caught up with the topic, the layout seeded or read,
the plot orchestrator synced), then closes them. Prints, per transport:

- the warm-up session's construction time (first of the process, nothing else running),
- construction time of the others, built while the earlier ones exist (median, max),
  and the time until every started session shows its layout,
- the process RSS growth per running session (and OS threads per session); no data
  flows, so this is the empty stack (consumer prefetch and the data cache grow with
  traffic, bounded per session by their limits),
- close time per session, and how much RSS is returned after closing.

Numbers only, no pass/fail. One warm-up session is built and closed first so that the
per-session figures exclude one-time costs. Run from the repository root::

    .venv/bin/python benchmarks/session_stack.py --sessions 20 --transport both
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from livedash.broker.tansu import EmbeddedBroker, free_port
from livedash.instruments import Instrument, load_instrument
from livedash.kafka.admin import ensure_topics
from livedash.kafka.memory import InMemoryBroker
from livedash.kafka.settings import KafkaSettings
from livedash.logs import configure_logging
from livedash.protocol.topics import livedata_topic_specs
from livedash.session.stack import SessionStack
from livedash.session.transport import (
    TransportFactory,
    kafka_transport_factory,
    memory_transport_factory,
)
from livedash.store.layout import read_layout

WORKER_ID = str(uuid.uuid4())
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    """Resident set size of this process now (Linux /proc)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


def os_threads() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def wait_for(predicate: Callable[[], bool], timeout_s: float) -> float:
    """Seconds until ``predicate`` held (polling every 10 ms); raises on timeout."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"condition not met within {timeout_s} s")
        time.sleep(0.01)  # a benchmark, not a test: polling is what a reader would do
    return time.monotonic() - started


def shows_layout(stack: SessionStack) -> bool:
    return read_layout(stack.store) is not None and stack.plots.stats()["layers"] > 0


def build(factory: TransportFactory, instrument: Instrument) -> tuple[SessionStack, float]:
    started = time.perf_counter()
    stack = SessionStack(transport_factory=factory, instrument=instrument, worker_id=WORKER_ID)
    return stack, time.perf_counter() - started


def measure(name: str, factory: TransportFactory, instrument: Instrument, sessions: int) -> None:
    warm, first_s = build(factory, instrument)
    warm.start()
    wait_for(lambda: shows_layout(warm), timeout_s=30.0)
    warm.close()
    gc.collect()
    rss_before, threads_before = rss_mib(), os_threads()

    stacks: list[SessionStack] = []
    build_s: list[float] = []
    for _ in range(sessions):
        stack, seconds = build(factory, instrument)
        stacks.append(stack)
        build_s.append(seconds)
    started = time.monotonic()
    for stack in stacks:
        stack.start()
    layout_s = [wait_for(lambda s=stack: shows_layout(s), timeout_s=60.0) for stack in stacks]
    all_layout_s = time.monotonic() - started
    gc.collect()
    rss_running, threads_running = rss_mib(), os_threads()

    close_started = time.perf_counter()
    for stack in stacks:
        stack.close()
    close_s = (time.perf_counter() - close_started) / sessions
    stacks.clear()
    gc.collect()
    rss_after = rss_mib()

    per_session = (rss_running - rss_before) / sessions
    print(f"\n== {name}: {sessions} sessions ==")
    print(f"first session construction       {first_s * 1e3:8.1f} ms (warm-up, alone)")
    print(
        f"construction per session         {statistics.median(build_s) * 1e3:8.1f} ms median, "
        f"{max(build_s) * 1e3:.1f} ms max"
    )
    print(
        f"until every session shows layout {all_layout_s * 1e3:8.1f} ms after start "
        f"(last one waited {max(layout_s) * 1e3:.1f} ms)"
    )
    rss = f"{rss_before:.1f} / {rss_running:.1f} / {rss_after:.1f}"
    print(f"RSS before / running / closed    {rss} MiB")
    print(f"RSS per running session          {per_session:8.2f} MiB")
    print(f"OS threads per session           {(threads_running - threads_before) / sessions:8.1f}")
    print(f"close per session                {close_s * 1e3:8.1f} ms")


@contextmanager
def kafka_factory(bootstrap: str | None, instrument: str) -> Iterator[TransportFactory]:
    broker = None
    if bootstrap is None:
        broker = EmbeddedBroker(port=free_port())
        broker.start()
        broker.wait_ready(timeout_s=30.0)
        bootstrap = broker.bootstrap
    try:
        settings = KafkaSettings(bootstrap=bootstrap)
        ensure_topics(settings, livedata_topic_specs(instrument), timeout_s=10.0)
        yield kafka_transport_factory(settings)
    finally:
        if broker is not None:
            broker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--transport", choices=["memory", "kafka", "both"], default="both")
    parser.add_argument("--kafka-bootstrap", default=None, help="HOST:PORT (default: embedded)")
    args = parser.parse_args()
    if args.sessions < 1:
        parser.error(f"--sessions must be at least 1, got {args.sessions}")
    configure_logging("ERROR")
    instrument = load_instrument("dummy")
    print(f"pid {os.getpid()}, RSS at start {rss_mib():.1f} MiB, {os.cpu_count()} CPUs")
    if args.transport in ("memory", "both"):
        broker = InMemoryBroker(topics=livedata_topic_specs(instrument.name))
        measure("in-memory transport", memory_transport_factory(broker), instrument, args.sessions)
    if args.transport in ("kafka", "both"):
        with kafka_factory(args.kafka_bootstrap, instrument.name) as factory:
            measure("real broker (Kafka protocol)", factory, instrument, args.sessions)


if __name__ == "__main__":
    main()
