"""EmbeddedBroker lifecycle, with stand-in executables and with the real Tansu."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from livedash.broker.tansu import (
    BrokerError,
    BrokerPortInUseError,
    EmbeddedBroker,
    free_port,
    resolve_binary,
)
from livedash.kafka.admin import ensure_topics, missing_topics
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import TopicSpec
from tests.helpers import wait_until


def script(tmp_path: Path, body: str) -> str:
    """An executable that stands in for Tansu (it ignores its arguments)."""
    path = tmp_path / "fake-tansu"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def listening_socket() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


def test_bootstrap_is_the_advertised_address() -> None:
    assert EmbeddedBroker(port=19092).bootstrap == "127.0.0.1:19092"
    assert EmbeddedBroker(port=19092, host="0.0.0.0").bootstrap == "127.0.0.1:19092"
    assert EmbeddedBroker(port=1, host="0.0.0.0", advertised_host="demo").bootstrap == "demo:1"


def test_invalid_port_is_rejected() -> None:
    with pytest.raises(ValueError, match="port"):
        EmbeddedBroker(port=0)


def test_taken_port_is_reported_before_starting(listening_socket: socket.socket) -> None:
    port = listening_socket.getsockname()[1]
    broker = EmbeddedBroker(port=port, binary="/nonexistent")
    with pytest.raises(BrokerPortInUseError, match=f"127.0.0.1:{port}"):
        broker.start()
    assert not broker.running


def test_process_exiting_early_fails_wait_ready_with_its_output(tmp_path: Path) -> None:
    broker = EmbeddedBroker(port=free_port(), binary=script(tmp_path, "echo boom; exit 3"))
    broker.start()
    try:
        with pytest.raises(BrokerError, match=r"status 3.*boom"):
            broker.wait_ready(timeout_s=10.0)
    finally:
        broker.stop()


def test_silent_process_fails_wait_ready_after_timeout(tmp_path: Path) -> None:
    broker = EmbeddedBroker(port=free_port(), binary=script(tmp_path, "exec sleep 60"))
    broker.start()
    try:
        with pytest.raises(BrokerError, match="not ready within"):
            broker.wait_ready(timeout_s=0.5)
    finally:
        broker.stop(timeout_s=5.0)
    assert not broker.running


def test_output_lines_are_logged(tmp_path: Path) -> None:
    broker = EmbeddedBroker(
        port=free_port(), binary=script(tmp_path, "echo 'hello from broker'; exec sleep 60")
    )
    with capture_logs() as logs:
        broker.start()
        try:
            wait_until(
                lambda: any(entry.get("line") == "hello from broker" for entry in logs), 10.0
            )
        finally:
            broker.stop()


def test_stop_is_idempotent_and_safe_before_start(tmp_path: Path) -> None:
    broker = EmbeddedBroker(port=free_port(), binary=script(tmp_path, "exec sleep 60"))
    assert broker.stop() is None
    broker.start()
    first = broker.stop()
    assert first is not None
    assert broker.stop() == first


def test_starting_twice_is_refused(tmp_path: Path) -> None:
    broker = EmbeddedBroker(port=free_port(), binary=script(tmp_path, "exec sleep 60"))
    broker.start()
    try:
        with pytest.raises(BrokerError, match="already started"):
            broker.start()
    finally:
        broker.stop()


def test_bundled_binary_resolves_to_an_executable() -> None:
    path = resolve_binary()
    assert os.path.isfile(path)
    assert os.access(path, os.X_OK)


@pytest.mark.integration
def test_real_broker_serves_kafka_and_stops_cleanly() -> None:
    with EmbeddedBroker(port=free_port()) as broker:
        settings = KafkaSettings(bootstrap=broker.bootstrap)
        assert ensure_topics(settings, [TopicSpec("probe")]) == ["probe"]
        assert missing_topics(settings, ["probe"]) == []
    assert broker.returncode == 0
