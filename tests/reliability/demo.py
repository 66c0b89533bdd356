"""Helpers around a running ``livedash demo`` (tests/deploy/deployment.py's DemoRun).

- :func:`start_demo` / :func:`stop_demo`: a demo with two workers, up and healthy;
- :func:`start_workflow`: commit a workflow from a short-lived session stack in this
  process, as another user's tab would, and wait until the backend runs it: every tab
  then adopts it and shows its results;
- :func:`wait_no_sessions`, :func:`supervisorctl`, :func:`kafka_settings`.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

from livedash.instruments import load_instrument
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.ids import WorkflowId
from livedash.session.stack import SessionStack
from livedash.session.transport import kafka_transport_factory
from livedash.session.workflow_state import WorkflowStatus
from tests.deploy.deployment import DemoRun
from tests.helpers import wait_until

INSTRUMENT = "dummy"
# The seeded "Detectors" grid shows this workflow's image: tabs get a plot update per
# result (the fake backend publishes every second).
LIVE_WORKFLOW = WorkflowId(instrument=INSTRUMENT, name="area_panel_xy", version=1)


def start_demo(tmp_path: Path, *, workers: int = 2) -> DemoRun:
    demo = DemoRun(tmp_path, workers=workers)
    try:
        demo.wait_up()
    except BaseException:
        demo.kill()
        raise
    return demo


def kafka_settings(demo: DemoRun) -> KafkaSettings:
    return KafkaSettings(bootstrap=f"127.0.0.1:{demo.kafka_port}")


def start_workflow(demo: DemoRun, workflow_id: WorkflowId = LIVE_WORKFLOW) -> uuid.UUID:
    """Start ``workflow_id`` as another client would; its job number once it is active."""
    stack = SessionStack(
        transport_factory=kafka_transport_factory(kafka_settings(demo)),
        instrument=load_instrument(INSTRUMENT),
        worker_id=str(uuid.uuid4()),
    )
    with stack:
        stack.start()
        job_number = stack.orchestrator.commit(workflow_id)
        wait_until(
            lambda: stack.jobs.workflow_state(workflow_id).status is WorkflowStatus.ACTIVE,
            60,
            0.1,
            message=f"{workflow_id} did not become active",
        )
    return job_number


def wait_no_sessions(demo: DemoRun, timeout_s: float = 90.0) -> float:
    """Wait until no worker hosts a session; the seconds it took."""
    started = time.monotonic()
    workers = demo.settings.workers
    wait_until(
        lambda: demo.sessions(workers) == [0] * workers,
        timeout_s,
        0.25,
        message=f"sessions left: {demo.sessions(workers)}",
    )
    return time.monotonic() - started


def wait_all_healthy(demo: DemoRun, timeout_s: float = 120.0) -> None:
    workers = demo.settings.workers
    wait_until(
        lambda: all(h.healthy for h in demo.health_all(workers)),
        timeout_s,
        0.25,
        message="not every worker is healthy",
    )


def supervisorctl(demo: DemoRun, *args: str) -> str:
    """Run ``supervisorctl -c RUN/supervisord.conf ARGS``; its output (fails on error)."""
    script = Path(sys.executable).with_name("supervisorctl")
    command = (
        [str(script)] if script.exists() else [sys.executable, "-m", "supervisor.supervisorctl"]
    )
    result = subprocess.run(
        [*command, "-c", str(demo.run_dir / "supervisord.conf"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"supervisorctl {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def program_pid(demo: DemoRun, name: str) -> int:
    return int(demo.supervisor().processes()[name]["pid"])
