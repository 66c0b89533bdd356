"""The system under test: a ``livedash demo`` started here, or a running deployment.

:meth:`Deployment.start_demo` runs ``livedash demo`` (broker, topics, fake backend,
workers and nginx under supervisord) in a fresh run directory on free ports, in its own
process group, and waits until every worker answers ``/health``. :meth:`stop` ends it
as a terminal's Ctrl-C would (SIGINT to supervisord, which stops its programs in
reverse order); if that hangs, every program and supervisord are killed.
:meth:`Deployment.attach` uses a deployment that already runs (``--config-dir``) and
never stops it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import structlog

from livedash.broker.tansu import free_port_block
from livedash.deploy.settings import DeploySettings, load_settings
from livedash.deploy.supervisor import Supervisor, SupervisorError
from livedash.deploy.workers import WorkerHealth, fetch_health
from livedash.kafka.settings import KafkaSettings

logger = structlog.get_logger(__name__)

UP_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 90.0
_PORTS_PER_DEMO = 16  # nginx, broker, up to 14 workers


class Deployment:
    """A deployment the benchmark talks to (see the module docstring)."""

    def __init__(
        self,
        *,
        config_dir: Path,
        popen: subprocess.Popen[bytes] | None = None,
        output: Path | None = None,
    ) -> None:
        self.config_dir = config_dir
        self._popen = popen
        self._output = output
        self._program_pids: list[int] = []
        self._settings: DeploySettings | None = None

    # -- construction --------------------------------------------------------------

    @classmethod
    def attach(cls, config_dir: Path) -> Deployment:
        deployment = cls(config_dir=config_dir)
        deployment.wait_healthy(timeout_s=30.0)
        return deployment

    @classmethod
    def start_demo(cls, *, workers: int, tmp_dir: Path) -> Deployment:
        if not 1 <= workers <= _PORTS_PER_DEMO - 2:
            raise ValueError(f"workers must be 1..{_PORTS_PER_DEMO - 2}, got {workers!r}")
        base = free_port_block(_PORTS_PER_DEMO)
        run_dir = tmp_dir / "run"
        output = tmp_dir / "demo.out"
        argv = [
            sys.executable, "-m", "livedash", "demo",
            "--workers", str(workers),
            "--port", str(base),
            "--kafka-port", str(base + 1),
            "--base-port", str(base + 2),
            "--run-dir", str(run_dir),
        ]  # fmt: skip
        with output.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own argument list
                argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deployment = cls(config_dir=run_dir, popen=popen, output=output)
        try:
            deployment._wait_up()
        except BaseException:
            deployment.stop()
            raise
        return deployment

    def _wait_up(self) -> None:
        if self._popen is None or self._output is None:
            raise RuntimeError("not a demo started here")
        deadline = time.monotonic() + UP_TIMEOUT_S
        while "livedash demo is up" not in self._output.read_text(errors="replace"):
            if self._popen.poll() is not None:
                raise RuntimeError(f"demo exited early:\n{self._output.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"demo not up:\n{self._output.read_text()[-3000:]}")
            time.sleep(0.25)
        self.wait_healthy(timeout_s=max(10.0, deadline - time.monotonic()))
        self._program_pids = self._supervised_pids()
        logger.info("load_demo_up", url=self.url, workers=self.settings.workers)

    # -- facts ---------------------------------------------------------------------

    @property
    def settings(self) -> DeploySettings:
        """The deployment's settings (``livedash-deploy.json``), read once it exists."""
        if self._settings is None:
            self._settings = load_settings(self.config_dir)
        return self._settings

    @property
    def url(self) -> str:
        return f"http://{self.settings.public_origin}"

    @property
    def origin(self) -> str:
        """What a browser sends as Origin (the workers check websockets against it)."""
        return self.settings.public_origin

    @property
    def kafka(self) -> KafkaSettings:
        return KafkaSettings.from_env(self.settings.kafka_bootstrap)

    @property
    def broker_port(self) -> int:
        return int(self.settings.kafka_bootstrap.split(",")[0].rsplit(":", 1)[1])

    @property
    def instrument(self) -> str:
        return self.settings.instrument

    def health(self) -> list[WorkerHealth]:
        return [
            fetch_health(i, port, timeout_s=10.0)
            for i, port in enumerate(self.settings.worker_ports())
        ]

    def worker_pids(self, *, timeout_s: float = 90.0) -> list[int]:
        """Every worker's pid from ``/health``; a busy worker may answer late."""
        deadline = time.monotonic() + timeout_s
        while True:
            pids = [int(h.document["pid"]) for h in self.health() if h.reachable]
            if len(pids) == self.settings.workers:
                return pids
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"only {len(pids)} of {self.settings.workers} workers answer /health"
                )
            time.sleep(1.0)

    def sessions(self) -> list[int]:
        return [int(h.document.get("sessions", -1)) for h in self.health()]

    def wait_healthy(self, *, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not all(h.healthy for h in self.health()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"workers not healthy: {[h.document for h in self.health()]}")
            time.sleep(0.5)

    def wait_sessions(self, count: int, *, timeout_s: float) -> bool:
        """Wait until the workers hold ``count`` sessions in all; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while sum(self.sessions()) != count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.25)
        return True

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = Path(self.settings.run_dir) / "log" / name
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def program_pids(self) -> dict[str, int]:
        """supervisord's programs that run: name -> pid (empty if not under supervisord)."""
        try:
            supervisor = Supervisor.for_run_dir(Path(self.settings.run_dir))
            return {n: p["pid"] for n, p in supervisor.processes().items() if p["pid"]}
        except (SupervisorError, OSError, ValueError):
            return {}

    def _supervised_pids(self) -> list[int]:
        try:
            supervisor = Supervisor.for_run_dir(Path(self.settings.run_dir))
            return [p["pid"] for p in supervisor.processes().values() if p["pid"]]
        except (SupervisorError, OSError, ValueError):
            return []

    # -- teardown --------------------------------------------------------------------

    def stop(self) -> None:
        """Stop a demo started here (SIGINT, then kill); a no-op for an attached one."""
        popen = self._popen
        if popen is None or popen.poll() is not None:
            return
        pids = self._supervised_pids() or self._program_pids
        try:
            os.killpg(popen.pid, signal.SIGINT)
            popen.wait(timeout=STOP_TIMEOUT_S)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            logger.warning("load_demo_kill", pids=pids)
            for pid in pids:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                os.killpg(popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            popen.wait(timeout=30)
        logger.info("load_demo_stopped", code=popen.returncode)
