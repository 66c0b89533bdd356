"""``livedash broker`` as a separate process."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from livedash.broker.tansu import free_port
from livedash.kafka.admin import missing_topics
from livedash.kafka.errors import BrokerUnavailableError
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import livedata_topic_specs
from tests.helpers import wait_until

pytestmark = pytest.mark.integration


def start_broker_command(port: int, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "livedash", "broker", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def answers(settings: KafkaSettings) -> bool:
    try:
        missing_topics(settings, [], timeout_s=0.5)
    except BrokerUnavailableError:
        return False
    return True


@pytest.fixture
def running_broker() -> Iterator[tuple[subprocess.Popen[str], KafkaSettings]]:
    port = free_port()
    process = start_broker_command(port)
    settings = KafkaSettings(bootstrap=f"127.0.0.1:{port}")
    try:
        wait_until(lambda: answers(settings), 30.0, message="livedash broker never answered")
        yield process, settings
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_broker_command_stops_cleanly_on_signal(
    running_broker: tuple[subprocess.Popen[str], KafkaSettings], stop_signal: signal.Signals
) -> None:
    process, settings = running_broker
    process.send_signal(stop_signal)
    _out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "broker_shutdown" in err
    assert not answers(settings)


def test_broker_command_reports_a_taken_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        process = start_broker_command(port)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "already in use" in err
    assert "Traceback" not in err


def test_broker_command_creates_the_instruments_topics_when_it_starts() -> None:
    port = free_port()
    process = start_broker_command(port, "--instrument", "dummy")
    settings = KafkaSettings(bootstrap=f"127.0.0.1:{port}")
    names = [spec.name for spec in livedata_topic_specs("dummy")]
    try:
        wait_until(lambda: answers(settings) and not missing_topics(settings, names), 30.0)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "broker_topics_created" in err
