"""Fixtures of the browser tests: headless Chromium, a served worker, the status topic.

- ``browser``: one headless Chromium (Debian's ``/usr/bin/chromium``) for the session;
- ``served_worker``: a factory starting ``livedash serve`` for the test's fresh instrument
  and waiting for its ``/health``; every worker started is killed after the test;
- ``status_watcher``: every decoded message of the instrument's status topic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from livedash.kafka.settings import KafkaSettings
from tests.worker.process import ServedWorker, StatusWatcher


@pytest.fixture
def served_worker(
    instrument_name: str, kafka_settings: KafkaSettings, tmp_path: Path
) -> Iterator[Callable[..., ServedWorker]]:
    started: list[ServedWorker] = []

    def start(*, prefix: str = "/w/0", worker_index: int = 0, extra_args=()) -> ServedWorker:
        worker = ServedWorker(
            instrument=instrument_name,
            bootstrap=kafka_settings.bootstrap,
            log_path=tmp_path / f"serve-{len(started)}.log",
            prefix=prefix,
            worker_index=worker_index,
            extra_args=tuple(extra_args),
        )
        started.append(worker)
        worker.wait_healthy()
        return worker

    yield start
    for worker in started:
        worker.kill()


@pytest.fixture
def status_watcher(instrument_name: str, kafka_settings: KafkaSettings) -> Iterator[StatusWatcher]:
    watcher = StatusWatcher(kafka_settings, instrument_name)
    yield watcher
    watcher.close()
