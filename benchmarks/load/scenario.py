"""The load scenario: one shared layout of four live plots, and the four jobs that feed it.

Every tab shows the same 2x2 grid (the layout lives in the shared configuration topic,
so every session of every worker reads it):

| cell | workflow / source | output | plotter |
|---|---|---|---|
| (0, 0) | ``panel_0_xy`` / ``panel_0`` | ``cumulative`` (128x128) | image |
| (0, 1) | ``panel_0_layers`` / ``panel_0`` | ``cumulative`` (4x32x128) | slicer |
| (1, 0) | ``monitor_histogram`` / ``monitor1`` | ``cumulative`` (100 bins) | line |
| (1, 1) | ``timeseries_data`` / ``motion1`` | ``delta`` (series) | timeseries |

Cumulative outputs are used on purpose: their sums grow with every update, so the
fingerprint of what a browser drew (:mod:`.fingerprints`) names one result without doubt.

Ids are deterministic (uuid5), so running the benchmark twice against one deployment
writes nothing the second time; jobs already running for a plot are not started again.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import structlog

from livedash.instruments import load_instrument
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.plots.model import Cell, DataRef, Grid, GridSet, LayerConfig, PlotterKind
from livedash.protocol.commands import WorkflowConfig, encode_command
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, WorkflowId
from livedash.protocol.status import JobState, JobStatus, decode_status
from livedash.session.topics import SessionTopics
from livedash.store import ConfigStore, read_layout, write_layout

logger = structlog.get_logger(__name__)

_NAMESPACE = uuid.UUID("5b0c7c52-3f1e-4c55-9a55-2f6c1d0a10ad")
_RUNNING = {JobState.SCHEDULED, JobState.ACTIVE, JobState.WARNING}


@dataclass(frozen=True)
class PlotSpec:
    """One plot of the scenario: what it draws and how the browser probe names it."""

    name: str  # short name used in reports: image, slicer, histogram, timeseries
    workflow: str
    source: str
    output: str
    plotter: PlotterKind
    probe_kind: str  # the kind the page probe gives its data source: image, line, ts
    row: int
    col: int


PLOTS: tuple[PlotSpec, ...] = (
    PlotSpec("image", "panel_0_xy", "panel_0", "cumulative", PlotterKind.IMAGE, "image", 0, 0),
    PlotSpec(
        "slicer", "panel_0_layers", "panel_0", "cumulative", PlotterKind.SLICER, "image", 0, 1
    ),
    PlotSpec(
        "histogram", "monitor_histogram", "monitor1", "cumulative", PlotterKind.LINE, "line", 1, 0
    ),
    PlotSpec(
        "timeseries", "timeseries_data", "motion1", "delta", PlotterKind.TIMESERIES, "ts", 1, 1
    ),
)


def _id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, "/".join(parts))


def workflow_id(instrument: str, plot: PlotSpec) -> WorkflowId:
    return WorkflowId(instrument=instrument, name=plot.workflow, version=1)


def load_gridset(instrument: str) -> GridSet:
    """The benchmark's layout: one 2x2 grid with the four plots."""
    cells = tuple(
        Cell(
            cell_id=_id("cell", plot.name),
            row=plot.row,
            col=plot.col,
            layers=(
                LayerConfig(
                    layer_id=_id("layer", plot.name),
                    title=f"load {plot.name}",
                    roles={
                        "primary": DataRef(
                            workflow_id=workflow_id(instrument, plot),
                            source_name=plot.source,
                            output_name=plot.output,
                        )
                    },
                    plotter=plot.plotter,
                ),
            ),
        )
        for plot in PLOTS
    )
    grid = Grid(grid_id=_id("grid"), title="Load benchmark", nrows=2, ncols=2, cells=cells)
    return GridSet(grids=(grid,))


def write_load_layout(settings: KafkaSettings, instrument: str, *, timeout_s: float = 30.0) -> bool:
    """Make the shared layout exactly :func:`load_gridset`; True if it had to write.

    Reads the configuration topic from the beginning (as every session does) until its
    own sync marker comes back, writes against what it read, and waits until the
    records it wrote came back from the topic.
    """
    topics = SessionTopics.for_instrument(instrument)
    wanted = load_gridset(instrument)
    consumer = AssignedConsumer.create(
        settings,
        topics=[topics.livedash_config],
        group_prefix="livedash-load-layout",
        start="beginning",
    )
    producer = Producer.create(settings, client_id="livedash-load-layout")
    store = ConfigStore(sink=producer, topic=topics.livedash_config, writer_id=str(uuid.uuid4()))
    deadline = time.monotonic() + timeout_s

    def pump_until(done: object) -> None:
        while not done():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError("the configuration topic did not answer in time")
            producer.poll(0)
            for message in consumer.poll_batch(max_messages=500, timeout_s=0.1):
                store.on_message(message)

    try:
        store.request_sync()
        producer.flush(5.0)
        pump_until(lambda: store.synced)
        snapshot = read_layout(store)
        if snapshot is not None and snapshot.gridset == wanted:
            return False
        write_layout(store, wanted, base=snapshot)
        producer.flush(5.0)

        def arrived() -> bool:
            now = read_layout(store)
            return now is not None and now.gridset == wanted

        pump_until(arrived)
        logger.info("load_layout_written", instrument=instrument)
        return True
    finally:
        consumer.close()
        producer.close(5.0)


def running_jobs(
    settings: KafkaSettings, instrument: str, *, listen_s: float = 3.0
) -> set[tuple[str, str]]:
    """The (workflow name, source) pairs with a running job, from job heartbeats.

    The backend publishes every job's status about once a second, so listening to the
    status topic for a few seconds sees every job that runs.
    """
    topics = SessionTopics.for_instrument(instrument)
    consumer = AssignedConsumer.create(
        settings, topics=[topics.status], group_prefix="livedash-load-jobs", start="end"
    )
    found: set[tuple[str, str]] = set()
    deadline = time.monotonic() + listen_s
    try:
        while time.monotonic() < deadline:
            for message in consumer.poll_batch(max_messages=500, timeout_s=0.1):
                try:
                    status = decode_status(message.value).status
                except DecodeError:
                    continue
                if isinstance(status, JobStatus) and status.state in _RUNNING:
                    found.add((status.workflow_id.name, status.job_id.source_name))
    finally:
        consumer.close()
    return found


def start_workflows(settings: KafkaSettings, instrument: str) -> list[str]:
    """Send one WorkflowConfig (default params) for every plot whose job is not
    running yet; the workflows started."""
    topics = SessionTopics.for_instrument(instrument)
    spec_source = load_instrument(instrument)
    running = running_jobs(settings, instrument)
    producer = Producer.create(settings, client_id="livedash-load-commands")
    started: list[str] = []
    try:
        for plot in PLOTS:
            if (plot.workflow, plot.source) in running:
                continue
            spec = spec_source.workflow(workflow_id(instrument, plot))
            command = WorkflowConfig(
                identifier=spec.id,
                job_id=JobId(source_name=plot.source, job_number=uuid.uuid4()),
                aux_source_names=spec.default_aux_source_names(),
                params=spec.params.default_payload(),
            )
            producer.produce(topics.commands, encode_command(command))
            started.append(f"{plot.workflow}/{plot.source}")
        if producer.flush(10.0):
            raise RuntimeError("workflow commands were not delivered to the broker")
    finally:
        producer.close(5.0)
    logger.info("load_workflows_started", started=started, already_running=sorted(running))
    return started
