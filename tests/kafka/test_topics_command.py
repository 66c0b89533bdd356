"""``livedash topics`` as a separate process."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from livedash.broker.tansu import free_port
from livedash.kafka.admin import delete_topics, missing_topics
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import livedata_topic_specs


def run_topics(*args: str, timeout_s: float = 30.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "livedash", "topics", *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


@pytest.mark.integration
def test_topics_command_creates_then_reports_existing(kafka_settings: KafkaSettings) -> None:
    instrument = f"t{uuid.uuid4().hex[:8]}"
    names = [spec.name for spec in livedata_topic_specs(instrument)]
    args = ("--instrument", instrument, "--kafka-bootstrap", kafka_settings.bootstrap)
    try:
        first = run_topics(*args)
        second = run_topics(*args)
        still_missing = missing_topics(kafka_settings, names)
    finally:
        delete_topics(kafka_settings, names)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == [word for name in names for word in ("created", name)]
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == [word for name in names for word in ("exists", name)]
    assert still_missing == []


def test_unreachable_broker_gives_one_line_error() -> None:
    bootstrap = f"127.0.0.1:{free_port()}"
    result = run_topics("--instrument", "dummy", "--kafka-bootstrap", bootstrap, "--timeout", "1")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"livedash topics: error: cannot reach Kafka at {bootstrap}")


def test_malformed_bootstrap_is_a_usage_error() -> None:
    result = run_topics("--instrument", "dummy", "--kafka-bootstrap", "no-port")
    assert result.returncode == 2
    assert "HOST:PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_instrument_name_is_a_usage_error() -> None:
    result = run_topics("--instrument", "a/b", "--kafka-bootstrap", "127.0.0.1:9092")
    assert result.returncode == 2
    assert "invalid instrument name" in result.stderr
