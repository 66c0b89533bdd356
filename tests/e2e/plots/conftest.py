"""Module-scoped pieces of the live-plot browser tests (one real stack per test module).

Every module gets a fresh instrument (its own topics on the session's broker, see
tests/conftest.py), its own layout client and command sender, and builds with the
factories ``start_backend``, ``start_workers`` and ``open_pages`` the fake backend(s),
dashboard workers and browser tabs it needs; all of them are stopped when the module
ends. The ``browser`` fixture (one headless Chromium per module) comes from
tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from livedash.kafka.settings import KafkaSettings
from tests.worker.process import ServedWorker

from .live import FakeBackendProcess, Instrument, LayoutClient, Workflows
from .page import PlotsPage


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-plots")


@pytest.fixture(scope="module")
def instrument(kafka_settings: KafkaSettings, module_dir: Path) -> Iterator[Instrument]:
    """A fresh instrument for this module; its topics are deleted afterwards."""
    created = Instrument.create(kafka_settings, module_dir)
    yield created
    created.delete_topics(kafka_settings)


@pytest.fixture(scope="module")
def layouts(kafka_settings: KafkaSettings, instrument: Instrument) -> Iterator[LayoutClient]:
    client = LayoutClient(kafka_settings, instrument.name)
    yield client
    client.close()


@pytest.fixture(scope="module")
def workflows(kafka_settings: KafkaSettings, instrument: Instrument) -> Iterator[Workflows]:
    sender = Workflows(kafka_settings, instrument)
    yield sender
    sender.close()


@pytest.fixture(scope="module")
def start_backend(
    instrument: Instrument, kafka_settings: KafkaSettings, module_dir: Path
) -> Iterator[Callable[..., FakeBackendProcess]]:
    """Starts ``livedash fake-backend`` (extra flags as arguments); stopped at module end."""
    started: list[FakeBackendProcess] = []

    def start(*extra_args: str) -> FakeBackendProcess:
        backend = FakeBackendProcess(
            instrument=instrument,
            bootstrap=kafka_settings.bootstrap,
            log_path=module_dir / f"fake-backend-{len(started)}.log",
            extra_args=extra_args,
        )
        started.append(backend)
        return backend

    yield start
    for backend in started:
        backend.stop()


@pytest.fixture(scope="module")
def start_workers(
    instrument: Instrument, kafka_settings: KafkaSettings, module_dir: Path
) -> Iterator[Callable[..., list[ServedWorker]]]:
    """Starts ``livedash serve`` processes for the module's instrument, one per worker
    index given (all at once: each takes seconds to import), and waits for their
    /health; they are killed at module end if still running."""
    started: list[ServedWorker] = []

    def start(*indices: int) -> list[ServedWorker]:
        workers = []
        for index in indices or (0,):
            worker = ServedWorker(
                instrument=instrument.name,
                bootstrap=kafka_settings.bootstrap,
                log_path=module_dir / f"serve-{len(started)}.log",
                prefix=f"/w/{index}",
                worker_index=index,
                env=instrument.env,
            )
            started.append(worker)
            workers.append(worker)
        for worker in workers:
            worker.wait_healthy()
        return workers

    yield start
    for worker in started:
        worker.kill()


@pytest.fixture(scope="module")
def open_pages(browser: Browser) -> Iterator[Callable[..., list[PlotsPage]]]:
    """Opens a dashboard tab (own browser context) on each worker given, loading them
    all at once; closed at module end."""
    opened: list[PlotsPage] = []

    def open_on(*workers: ServedWorker) -> list[PlotsPage]:
        pages = []
        for worker in workers:
            page = PlotsPage.start(browser, worker)
            opened.append(page)
            pages.append(page)
        for page in pages:
            page.wait_rendered()
        return pages

    yield open_on
    for page in opened:
        page.close()
