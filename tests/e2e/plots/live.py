"""The real stack for the live-plot browser tests: fake backend, layout writer, commands.

- :class:`Instrument`: a fresh instrument name with its topics, and the renamed dummy
  instrument file the child processes load (``LIVEDASH_INSTRUMENT_PATH``);
- :class:`FakeBackendProcess`: ``python -m livedash fake-backend`` for it;
- :class:`LayoutClient`: a :class:`~livedash.store.ConfigStore` of the test's own over
  the real broker, fed from the configuration topic (the same documents the Plots
  tab's dialog writes);
- :class:`Workflows`: starts and stops jobs with the commands a dashboard sends.

Everything here waits with :func:`tests.helpers.wait_until` (deadline-based).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import livedash.instruments
from livedash.instruments import Instrument as InstrumentSpec
from livedash.instruments.loader import INSTRUMENT_PATH_ENV, read_instrument_file
from livedash.kafka.admin import delete_topics, ensure_topics
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.plots.model import Cell, DataRef, Grid, GridSet, LayerConfig
from livedash.protocol.commands import JobAction, JobCommand, WorkflowConfig, encode_command
from livedash.protocol.ids import JobId, WorkflowId
from livedash.protocol.topics import StreamKind, livedata_topic_specs, topic_for
from livedash.store import ConfigStore, LayoutSnapshot, read_layout, write_layout
from tests.helpers import wait_until

T = TypeVar("T")

PACKAGED_DUMMY = Path(livedash.instruments.__file__).parent / "data" / "dummy.json"
BACKEND_START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Instrument:
    """A fresh instrument (topics created) whose file the child processes can load."""

    name: str
    directory: Path
    spec: InstrumentSpec

    @classmethod
    def create(cls, settings: KafkaSettings, directory: Path) -> Instrument:
        name = f"t{uuid.uuid4().hex[:8]}"
        text = PACKAGED_DUMMY.read_text(encoding="utf-8").replace("dummy", name)
        path = directory / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        ensure_topics(settings, livedata_topic_specs(name), timeout_s=10.0)
        return cls(name=name, directory=directory, spec=read_instrument_file(path))

    def delete_topics(self, settings: KafkaSettings) -> None:
        names = [spec.name for spec in livedata_topic_specs(self.name)]
        delete_topics(settings, names, timeout_s=10.0)

    @property
    def env(self) -> dict[str, str]:
        """The environment of a child process that must load this instrument."""
        return {**os.environ, INSTRUMENT_PATH_ENV: str(self.directory)}

    def workflow(self, name: str) -> WorkflowId:
        return WorkflowId(instrument=self.name, name=name, version=1)

    def title(self, name: str) -> str:
        return self.spec.workflow(self.workflow(name)).title

    def ref(self, workflow: str, source: str, output: str) -> DataRef:
        return DataRef(workflow_id=self.workflow(workflow), source_name=source, output_name=output)


class FakeBackendProcess:
    """``python -m livedash fake-backend`` for ``instrument``, its output in ``log_path``."""

    def __init__(
        self,
        *,
        instrument: Instrument,
        bootstrap: str,
        log_path: Path,
        update_interval_s: float = 0.5,
        extra_args: Iterable[str] = (),
    ) -> None:
        self.log_path = log_path
        argv = [
            sys.executable, "-m", "livedash", "fake-backend",
            "--instrument", instrument.name,
            "--kafka-bootstrap", bootstrap,
            "--update-interval", str(update_interval_s),
            "--heartbeat-interval", "0.5",
            "--seed", "5",
            *extra_args,
        ]  # fmt: skip
        with log_path.open("wb") as out:
            self.popen = subprocess.Popen(
                argv, env=instrument.env, stdout=out, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def check_running(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(f"fake-backend exited with {self.popen.returncode}:\n{self.log()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


class LayoutClient:
    """The test's own view of the shared configuration topic, and a writer of layouts."""

    def __init__(self, settings: KafkaSettings, instrument: str) -> None:
        self.topic = topic_for(instrument, StreamKind.LIVEDASH_CONFIG)
        self._consumer = AssignedConsumer.create(
            settings, topics=[self.topic], group_prefix="test_e2e_layout", start="beginning"
        )
        self._producer = Producer.create(settings, client_id="test-e2e-layout")
        self.store = ConfigStore(sink=self._producer, topic=self.topic, writer_id=str(uuid.uuid4()))
        self.store.request_sync()
        self._producer.flush(5.0)
        self.wait(lambda: self.store.synced, 30.0, "the test's config store never caught up")

    def poll(self) -> None:
        for message in self._consumer.poll_batch(max_messages=500, timeout_s=0.02):
            self.store.on_message(message)

    def wait(self, predicate: Callable[[], T], timeout_s: float, message: str = "") -> T:
        def polled() -> T:
            self.poll()
            return predicate()

        return wait_until(polled, timeout_s, message=message)

    def layout(self) -> LayoutSnapshot | None:
        self.poll()
        return read_layout(self.store)

    def write(self, gridset: GridSet, timeout_s: float = 20.0) -> None:
        """Publish ``gridset`` over whatever layout is there, and wait until it is read back."""
        write_layout(self.store, gridset, base=self.layout())
        if self._producer.flush(5.0):
            raise AssertionError("the layout was not delivered within 5 s")

        def written() -> bool:
            snapshot = read_layout(self.store)
            return snapshot is not None and snapshot.gridset == gridset

        self.wait(written, timeout_s, "the layout written did not come back from the topic")

    def close(self) -> None:
        self._producer.close(5.0)
        self._consumer.close()


class Workflows:
    """Sends the commands a dashboard sends to start and stop jobs (PROTOCOL.md 3)."""

    def __init__(self, settings: KafkaSettings, instrument: Instrument) -> None:
        self._instrument = instrument
        self._topic = topic_for(instrument.name, StreamKind.COMMANDS)
        self._producer = Producer.create(settings, client_id="test-e2e-commands")

    def start(self, name: str, *sources: str, params: dict[str, Any] | None = None) -> uuid.UUID:
        """One ``WorkflowConfig`` per source (a new generation); the job number."""
        spec = self._instrument.spec.workflow(self._instrument.workflow(name))
        payload = spec.params.merge_with_default(params or {})
        number, message_id = uuid.uuid4(), str(uuid.uuid4())
        for source in sources or spec.source_names[:1]:
            self._send(
                WorkflowConfig(
                    identifier=spec.id,
                    message_id=message_id,
                    job_id=JobId(source_name=source, job_number=number),
                    aux_source_names=spec.default_aux_source_names(),
                    params=payload,
                )
            )
        return number

    def stop(self, number: uuid.UUID, *sources: str) -> None:
        """``stop`` for the jobs of generation ``number`` on ``sources``."""
        message_id = str(uuid.uuid4())
        for source in sources:
            job_id = JobId(source_name=source, job_number=number)
            self._send(JobCommand(message_id=message_id, job_id=job_id, action=JobAction.STOP))

    def _send(self, command: WorkflowConfig | JobCommand) -> None:
        self._producer.produce(self._topic, encode_command(command))
        if self._producer.flush(5.0):
            raise AssertionError(f"command not delivered within 5 s: {command!r}")

    def close(self) -> None:
        self._producer.close(5.0)


def layer(ref: DataRef, *, title: str = "", **kwargs: Any) -> LayerConfig:
    return LayerConfig(title=title, roles={"primary": ref}, **kwargs)


def grid(title: str, nrows: int, ncols: int, *cells: tuple[int, int, LayerConfig]) -> Grid:
    """A grid with one single-layer cell per ``(row, col, layer)``."""
    return Grid(
        title=title,
        nrows=nrows,
        ncols=ncols,
        cells=tuple(Cell(row=r, col=c, layers=(la,)) for r, c, la in cells),
    )
