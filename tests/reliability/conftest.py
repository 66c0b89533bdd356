"""Fixtures of the reliability suites: one ``livedash demo`` shared by the tab suites.

``demo`` is a real deployment (supervisord, nginx, two workers, the embedded broker and
the fake backend) in a temporary run directory, shared by every suite of this package
that asks for it, since starting one costs several seconds of CPU per worker. Each
suite leaves it as it found it: every worker healthy, no session open, the workflow
running (the broker restart takes the demo through the operator's recovery, which
restarts the fake backend, and starts the workflow again). ``live_demo`` is the demo
with a workflow running, so every tab's plot updates once a second.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.deployment import DemoRun

from .demo import start_demo, start_workflow, wait_all_healthy, wait_no_sessions


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    run = start_demo(tmp_path_factory.mktemp("demo"))
    try:
        yield run
    finally:
        run.kill()


@pytest.fixture(scope="package")
def live_demo(demo: DemoRun) -> DemoRun:
    start_workflow(demo)
    return demo


@pytest.fixture
def quiet_demo(live_demo: DemoRun) -> DemoRun:
    """The live demo with every worker healthy and no session open (waits for both)."""
    wait_all_healthy(live_demo)
    wait_no_sessions(live_demo)
    return live_demo
