"""The scale procedure's order, with fakes for supervisord, nginx and the workers.

The real thing (supervisord, nginx, workers, browser tabs) is in test_demo.py; these tests
pin down the order of steps that keeps surviving tabs alive and new tabs off dead workers.
"""

from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path

import pytest

from livedash.deploy.render import write_config
from livedash.deploy.scale import ScaleError, ScaleTimeouts, scale
from livedash.deploy.settings import DeploySettings, load_settings
from livedash.deploy.supervisor import ConfigDiff
from livedash.deploy.workers import WorkerError


class FakeSupervisord:
    """Knows the programs it runs; ``reread`` compares them with the file on disk."""

    def __init__(self, config_dir: Path, events: list[str], changed: list[str] = ()) -> None:
        self._config = config_dir / "supervisord.conf"
        self._events = events
        self._changed = list(changed)
        self.running = set(self._programs_in_file())

    def _programs_in_file(self) -> list[str]:
        return re.findall(r"^\[program:(.+)\]$", self._config.read_text(), re.MULTILINE)

    def reread(self) -> ConfigDiff:
        self._events.append("reread")
        wanted = set(self._programs_in_file())
        return ConfigDiff(
            added=sorted(wanted - self.running),
            changed=self._changed,
            removed=sorted(self.running - wanted),
        )

    def add(self, group: str) -> None:
        self._events.append(f"start {group}")
        self.running.add(group)

    def remove(self, group: str) -> None:
        self._events.append(f"stop {group}")
        self.running.discard(group)


class FakeNginx:
    def __init__(self, events: list[str]) -> None:
        self._events = events

    def check(self, settings: DeploySettings) -> None:
        self._events.append(f"nginx -t {settings.workers}")

    def reload(self, settings: DeploySettings) -> None:
        self._events.append(f"nginx reload {settings.workers}")

    def wait_applied(self, settings: DeploySettings, *, timeout_s: float) -> None:
        self._events.append(f"nginx applied {settings.workers}")


class FakeWorkers:
    def __init__(self, events: list[str], *, healthy: bool = True) -> None:
        self._events = events
        self._healthy = healthy
        self.open_tabs: dict[int, int] = {}

    def wait_healthy(self, workers: list[tuple[int, int]], *, timeout_s: float) -> None:
        self._events.append("healthy? " + ",".join(str(i) for i, _ in workers))
        if not self._healthy:
            raise WorkerError("not healthy after 1 s: worker 2")

    def drain(self, index: int, port: int) -> None:
        self._events.append(f"drain {index}")

    def sessions(self, index: int, port: int) -> int:
        return self.open_tabs.get(index, 0)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def pause(self, seconds: float) -> None:
        self.now += seconds


def _deployment(tmp_path: Path, workers: int) -> Path:
    write_config(DeploySettings(workers=workers, with_demo_services=True), tmp_path)
    return tmp_path


def _scale(config_dir: Path, count: int, events: list[str], **kwargs):
    supervisord = kwargs.pop("supervisord", None) or FakeSupervisord(config_dir, events)
    return scale(
        config_dir,
        count,
        programs=supervisord,
        router=kwargs.pop("router", FakeNginx(events)),
        worker_control=kwargs.pop("workers", FakeWorkers(events)),
        **kwargs,
    )


def test_scale_up_starts_new_workers_and_routes_to_them_once_healthy(tmp_path) -> None:
    events: list[str] = []
    report = _scale(_deployment(tmp_path, 2), 4, events)

    assert events == [
        "nginx -t 4", "reread", "start worker-2", "start worker-3", "healthy? 2,3",
        "nginx reload 4", "nginx applied 4",
    ]  # fmt: skip
    assert (report.started, report.stopped) == ([2, 3], [])


def test_scale_down_reroutes_then_drains_then_stops_the_removed_workers(tmp_path) -> None:
    events: list[str] = []
    report = _scale(_deployment(tmp_path, 4), 2, events)

    assert events == [
        "nginx -t 2", "reread", "nginx reload 2", "nginx applied 2",
        "drain 2", "drain 3", "stop worker-2", "stop worker-3",
    ]  # fmt: skip
    assert report.stopped == [2, 3]


def test_scaling_keeps_every_other_setting(tmp_path) -> None:
    config_dir = tmp_path
    settings = DeploySettings(workers=2, port=9000, public_host="ctrl.ess.eu", base_port=6000)
    write_config(settings, config_dir)

    _scale(config_dir, 3, [])

    assert load_settings(config_dir) == settings.with_workers(3)
    assert "server 127.0.0.1:6002 " in (config_dir / "nginx.conf").read_text()


def test_unhealthy_new_workers_never_get_tabs(tmp_path) -> None:
    events: list[str] = []
    with pytest.raises(ScaleError, match="nginx still routes to the old workers"):
        _scale(_deployment(tmp_path, 2), 3, events, workers=FakeWorkers(events, healthy=False))

    assert not any(event.startswith("nginx reload") for event in events)


def test_scale_down_waits_for_tabs_to_leave_up_to_the_drain_wait(tmp_path) -> None:
    events: list[str] = []
    workers = FakeWorkers(events)
    workers.open_tabs = {2: 3}
    fake_time = FakeTime()

    _scale(
        _deployment(tmp_path, 3), 2, events, workers=workers,
        timeouts=ScaleTimeouts(drain_wait_s=10.0), clock=fake_time.clock, pause=fake_time.pause,
    )  # fmt: skip

    assert fake_time.now >= 10.0
    assert events[-1] == "stop worker-2"


def test_programs_changed_by_hand_are_reported_and_left_alone(tmp_path) -> None:
    events: list[str] = []
    config_dir = _deployment(tmp_path, 2)
    supervisord = FakeSupervisord(config_dir, events, changed=["worker-0"])

    report = _scale(config_dir, 3, events, supervisord=supervisord)

    assert report.not_applied == ["worker-0"]
    assert "stop worker-0" not in events


def test_a_second_scale_at_the_same_time_is_refused(tmp_path) -> None:
    config_dir = _deployment(tmp_path, 2)
    fd = os.open(config_dir / ".livedash-deploy.lock", os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(ScaleError, match="in progress"):
            _scale(config_dir, 3, [])
    finally:
        os.close(fd)
