"""A process that edits the shared plot layout over and over, for the layout-store suite.

``python -m tests.reliability.layout_writer --bootstrap H:P --topic T --instrument I
--writer W --count N --grid-ids A,B,C`` reads the configuration topic from the
beginning into its own :class:`ConfigStore` and makes N layout edits with
:func:`write_layout`, each against the layout it has read so far (so edits of
concurrent writers collide, and the log decides). Each edit rewrites one of the shared
grids (A, B, C) with new random cells and sometimes reorders the grids; the grid's
title is ``writer:seq:digest``, the digest covering everything else in the grid, so a
reader can prove it never saw a torn or mixed-up grid (:func:`grid_is_intact`). Exits 0
once every write was delivered, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid

from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.plots.model import Cell, DataRef, Grid, GridSet, LayerConfig
from livedash.protocol.ids import WorkflowId
from livedash.store import ConfigStore
from livedash.store.layout import read_layout, write_layout
from tests.store.config_writer import digest

# (workflow name, source, output) of the dummy instrument that a layer may show.
REFS = [
    ("panel_0_xy", "panel_0", "cumulative"),
    ("panel_0_xy", "panel_0", "current"),
    ("area_panel_xy", "area_panel", "cumulative"),
    ("monitor_histogram", "monitor1", "cumulative"),
    ("monitor_histogram", "monitor2", "current"),
]


def grid_digest(grid: Grid) -> str:
    """The digest of everything in ``grid`` except its title."""
    content = grid.model_dump(mode="json", exclude={"title"})
    return digest(json.dumps(content, sort_keys=True))


def grid_is_intact(grid: Grid) -> bool:
    """Whether ``grid`` is exactly as one writer wrote it (its title's digest matches)."""
    parts = grid.title.split(":")
    return len(parts) == 3 and parts[2] == grid_digest(grid)


def random_grid(
    grid_id: uuid.UUID, *, instrument: str, writer: str, seq: int, rng: random.Random
) -> Grid:
    nrows, ncols = rng.randint(1, 3), rng.randint(1, 3)
    positions = [(r, c) for r in range(nrows) for c in range(ncols)]
    cells = []
    for row, col in rng.sample(positions, rng.randint(1, len(positions))):
        name, source, output = rng.choice(REFS)
        ref = DataRef(
            workflow_id=WorkflowId(instrument=instrument, name=name, version=1),
            source_name=source,
            output_name=output,
        )
        layer = LayerConfig(title=f"{writer} {seq}", roles={"primary": ref})
        cells.append(Cell(row=row, col=col, layers=(layer,)))
    draft = Grid(grid_id=grid_id, title="draft", nrows=nrows, ncols=ncols, cells=tuple(cells))
    return draft.model_copy(update={"title": f"{writer}:{seq}:{grid_digest(draft)}"})


def edited(current: GridSet, grid: Grid, shared: list[uuid.UUID], rng: random.Random) -> GridSet:
    """``current`` with ``grid`` put in (only the shared grids kept), maybe reordered."""
    kept = {g.grid_id: g for g in current.grids if g.grid_id in shared}
    kept[grid.grid_id] = grid
    order = [g for g in shared if g in kept]
    if rng.random() < 0.2:
        rng.shuffle(order)
    return GridSet(grids=tuple(kept[g] for g in order))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--instrument", required=True)
    parser.add_argument("--writer", required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--grid-ids", required=True)
    args = parser.parse_args(argv)
    shared = [uuid.UUID(text) for text in args.grid_ids.split(",")]
    settings = KafkaSettings(bootstrap=args.bootstrap)
    rng = random.Random(args.writer)
    consumer = AssignedConsumer.create(
        settings, topics=[args.topic], group_prefix="test_layout_writer", start="beginning"
    )
    producer = Producer.create(settings, client_id=f"layout-writer-{args.writer}")
    store = ConfigStore(sink=producer, topic=args.topic, writer_id=args.writer)
    try:
        for seq in range(args.count):
            for message in consumer.poll_batch(max_messages=100, timeout_s=0.001):
                store.on_message(message)
            snapshot = read_layout(store)
            current = GridSet() if snapshot is None else snapshot.gridset
            grid = random_grid(
                rng.choice(shared),
                instrument=args.instrument,
                writer=args.writer,
                seq=seq,
                rng=rng,
            )
            write_layout(store, edited(current, grid, shared, rng), base=snapshot)
        undelivered = producer.flush(30.0)
    finally:
        producer.close()
        consumer.close()
    return 1 if undelivered or producer.failed or producer.dropped else 0


if __name__ == "__main__":
    sys.exit(main())
