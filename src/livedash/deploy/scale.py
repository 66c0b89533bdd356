"""``livedash deploy scale N``: change the number of workers without dropping sessions.

One procedure covers both directions, in the order that keeps every surviving tab alive
and never routes a new tab to a worker that is not (or no longer) there:

1. re-render nginx.conf and supervisord.conf for N workers (nginx checks the new file
   first; every other setting comes from livedash-deploy.json);
2. supervisord re-reads its file; the workers it adds are started, and the procedure
   waits until each answers /health;
3. nginx reloads (new tabs now go to exactly the N workers) and the procedure waits until
   nginx answers with the new configuration;
4. the removed workers are drained, given ``drain_wait_s`` for their tabs to leave, then
   stopped (SIGTERM: each closes its sessions cleanly) and forgotten by supervisord.

Surviving workers are never restarted: one supervisord program per worker means adding or
removing one touches no other. The procedure is safe to re-run after a failure: it always
moves supervisord and nginx towards the rendered files.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .nginx import Nginx
from .render import write_config
from .settings import DeploySettings, load_settings
from .supervisor import ConfigDiff, Supervisor
from .workers import LocalWorkers, WorkerError

_WORKER_PROGRAM = re.compile(r"^worker-([0-9]+)$")
_LOCK_FILE = ".livedash-deploy.lock"


class Programs(Protocol):
    """supervisord, as scaling uses it (:class:`~.supervisor.Supervisor`)."""

    def reread(self) -> ConfigDiff: ...
    def add(self, group: str) -> None: ...
    def remove(self, group: str) -> None: ...


class Router(Protocol):
    """nginx, as scaling uses it (:class:`~.nginx.Nginx`)."""

    def check(self, settings: DeploySettings) -> None: ...
    def reload(self, settings: DeploySettings) -> None: ...
    def wait_applied(self, settings: DeploySettings, *, timeout_s: float) -> None: ...


class Workers(Protocol):
    """The workers' HTTP endpoints, as scaling uses them (:class:`~.workers.LocalWorkers`)."""

    def wait_healthy(self, workers: list[tuple[int, int]], *, timeout_s: float) -> None: ...
    def drain(self, index: int, port: int) -> None: ...
    def sessions(self, index: int, port: int) -> int: ...


class ScaleError(RuntimeError):
    """Scaling stopped part-way; the message says where and how to continue."""


@dataclass
class ScaleReport:
    """What a scale run did."""

    workers_before: int
    workers_after: int
    started: list[int] = field(default_factory=list)
    stopped: list[int] = field(default_factory=list)
    not_applied: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScaleTimeouts:
    health_s: float = 180.0
    nginx_s: float = 30.0
    drain_wait_s: float = 0.0


def scale(
    config_dir: Path,
    workers: int,
    *,
    programs: Programs | None = None,
    router: Router | None = None,
    worker_control: Workers | None = None,
    timeouts: ScaleTimeouts = ScaleTimeouts(),
    say: Callable[[str], None] = lambda _line: None,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> ScaleReport:
    """Scale the deployment in ``config_dir`` to ``workers`` workers (see module docstring).

    ``programs``, ``router`` and ``worker_control`` default to this host's supervisord,
    nginx and workers as described by livedash-deploy.json.
    """
    with _exclusive(config_dir):
        before = load_settings(config_dir)
        after = before.with_workers(workers)
        supervisor = Supervisor.for_run_dir(before.run_path(config_dir))
        programs = programs or supervisor
        router = router or Nginx(config_dir=config_dir, supervisor=supervisor)
        worker_control = worker_control or LocalWorkers()
        report = ScaleReport(workers_before=before.workers, workers_after=workers)

        router.check(after)
        write_config(after, config_dir)
        say(f"rendered {workers} worker(s) into {config_dir}")

        diff = programs.reread()
        added = _worker_indexes(diff.added)
        removed = _worker_indexes(diff.removed)
        # Only workers come and go with scaling; anything else that differs between the
        # running supervisord and the file was changed by hand and is not ours to apply.
        report.not_applied = sorted(
            {name for name in (*diff.added, *diff.removed) if not _WORKER_PROGRAM.match(name)}
            | set(diff.changed)
        )
        if report.not_applied:
            say(
                "left alone (changed outside scaling; apply them yourself): "
                + ", ".join(report.not_applied)
            )

        for index in added:
            programs.add(f"worker-{index}")
        if added:
            say(f"started worker(s) {_names(added)}; waiting for /health")
            try:
                worker_control.wait_healthy(
                    [(i, after.worker_port(i)) for i in added], timeout_s=timeouts.health_s
                )
            except WorkerError as exc:
                raise ScaleError(
                    f"{exc}. nginx still routes to the old workers only; see the worker "
                    f"logs in {after.run_path(config_dir)}/log, then re-run the scale "
                    f"(or `livedash deploy scale {before.workers}` to go back)"
                ) from exc
            report.started = added

        router.reload(after)
        router.wait_applied(after, timeout_s=timeouts.nginx_s)
        say(f"nginx routes new tabs to {workers} worker(s)")

        if removed:
            _drain(
                before,
                removed,
                worker_control,
                wait_s=timeouts.drain_wait_s,
                say=say,
                clock=clock,
                pause=pause,
            )
            for index in removed:
                programs.remove(f"worker-{index}")
            say(f"stopped worker(s) {_names(removed)}")
            report.stopped = removed
        return report


def _drain(
    settings: DeploySettings,
    indexes: list[int],
    worker_control: Workers,
    *,
    wait_s: float,
    say: Callable[[str], None],
    clock: Callable[[], float],
    pause: Callable[[float], None],
) -> None:
    """Drain the workers about to go; wait up to ``wait_s`` for their tabs to close."""
    for index in indexes:
        try:
            worker_control.drain(index, settings.worker_port(index))
        except WorkerError as exc:
            say(f"could not drain worker {index} (stopping it anyway): {exc}")
    deadline = clock() + wait_s
    while True:
        open_tabs = sum(worker_control.sessions(i, settings.worker_port(i)) for i in indexes)
        if open_tabs == 0:
            return
        if clock() >= deadline:
            if wait_s > 0:
                say(f"{open_tabs} tab(s) still open on worker(s) {_names(indexes)}; closing them")
            return
        pause(1.0)


def _worker_indexes(names: list[str]) -> list[int]:
    return sorted(int(m[1]) for name in names if (m := _WORKER_PROGRAM.match(name)))


def _names(indexes: list[int]) -> str:
    return ", ".join(str(i) for i in indexes)


@contextmanager
def _exclusive(config_dir: Path) -> Iterator[None]:
    """One scale at a time per deployment: a second one fails instead of interleaving."""
    fd = os.open(config_dir / _LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScaleError(f"another scale of {config_dir} is in progress") from None
        yield
    finally:
        os.close(fd)
