"""`livedash demo` brings up broker, topics and fake backend, and stops them cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from livedash.broker.tansu import free_port
from livedash.kafka.admin import missing_topics
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.errors import KafkaLayerError
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.status import ServiceStatus, decode_status
from livedash.protocol.topics import StreamKind, topic_for
from tests.helpers import wait_until

pytestmark = pytest.mark.integration

_SERVICES = {"detector_data", "monitor_data", "data_reduction", "timeseries"}


def _topics_ready(settings: KafkaSettings, names: list[str]) -> bool:
    try:
        return not missing_topics(settings, names)
    except KafkaLayerError:
        return False


def test_demo_serves_heartbeats_of_every_backend_service_and_stops_on_sigint() -> None:
    port = free_port()
    settings = KafkaSettings(bootstrap=f"127.0.0.1:{port}")
    status_topic = topic_for("dummy", StreamKind.STATUS)
    demo = subprocess.Popen(
        [sys.executable, "-m", "livedash", "demo", "--kafka-port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until(lambda: _topics_ready(settings, [status_topic]), 60.0, 0.2, message="no topics")
        consumer = AssignedConsumer.create(settings, topics=[status_topic], group_prefix="test")
        seen: set[str] = set()

        def every_service_seen() -> bool:
            for message in consumer.poll_batch(timeout_s=0.1):
                status = decode_status(message.value).status
                if isinstance(status, ServiceStatus):
                    seen.add(status.service_name)
            return seen >= _SERVICES

        wait_until(every_service_seen, 30.0, message=f"only saw {seen}")
        consumer.close()
    finally:
        # A terminal's Ctrl-C reaches the whole foreground process group.
        os.killpg(demo.pid, signal.SIGINT)
        stdout, stderr = demo.communicate(timeout=60)

    assert demo.returncode == 0, stderr
    # The backend stopped while the broker was still up: no connection errors on the way out.
    assert "kafka_error" not in stderr
    assert f"Kafka at 127.0.0.1:{port}" in stdout
    assert "fake_backend_stopped" in stderr
    assert "broker_stopped" in stderr


def test_demo_fails_clearly_when_its_broker_port_is_taken(kafka_broker) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "livedash", "demo", "--kafka-port", str(kafka_broker.port)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "demo failed to start" in result.stderr
