"""`livedash inspect` as a command: file mode, and tailing a real broker."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from livedash.cli import build_parser
from livedash.inspect.command import _topics, run
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from tests.samples import load_vector


def _run(argv: list[str]) -> tuple[int, str]:
    args = build_parser().parse_args(["inspect", *argv])
    out = io.StringIO()
    code = run(args, out=out)
    return code, out.getvalue()


def test_file_mode_prints_the_decoded_message(tmp_path: Path) -> None:
    value, _ = load_vector("da00_panel_0_xy_cumulative")
    path = tmp_path / "message.bin"
    path.write_bytes(value)

    code, output = _run(["--file", str(path), "--kind", "data"])

    assert code == 0
    assert "RESULT dummy/panel_0_xy/1" in output
    assert "shape=[128, 128]" in output


def test_file_mode_json_prints_one_object(tmp_path: Path) -> None:
    value, _ = load_vector("x5f2_service_running_monitor_data")
    path = tmp_path / "message.bin"
    path.write_bytes(value)

    code, output = _run(["--file", str(path), "--kind", "heartbeat", "--json"])

    assert code == 0
    [line] = output.splitlines()
    assert json.loads(line)["kind"] == "service_status"


def test_file_mode_reports_undecodable_bytes_as_an_error_line(tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(b"\x01\x02\x03 garbage")

    code, output = _run(["--file", str(path), "--kind", "commands"])

    assert code == 0
    assert output.startswith("[")
    assert "ERROR cannot decode command" in output


def test_file_mode_needs_exactly_one_topic(tmp_path: Path) -> None:
    path = tmp_path / "message.bin"
    path.write_bytes(b"{}")

    code, _ = _run(["--file", str(path)])

    assert code == 2


def test_tail_goes_on_after_a_bad_message(
    kafka_settings: KafkaSettings, instrument_topics: str
) -> None:
    topic = f"{instrument_topics}_livedata_responses"
    good, _ = load_vector("ack_workflow_config_total_counts")
    producer = Producer.create(kafka_settings, client_id="test-inspect")
    producer.produce(topic, b"{broken json")
    producer.produce(topic, good)
    assert producer.flush(10.0) == 0
    producer.close()

    result = subprocess.run(
        [
            sys.executable, "-m", "livedash", "inspect",
            "--kafka-bootstrap", kafka_settings.bootstrap,
            "--topic", topic, "--from-beginning", "--max", "2", "--json", "--duration", "20",
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    kinds = [json.loads(line)["kind"] for line in result.stdout.splitlines()]
    assert kinds == ["error", "ack"]


@pytest.mark.parametrize("kind", ["data", "heartbeat", "responses", "commands", "roi"])
def test_every_kind_name_maps_to_its_topic(kind: str) -> None:
    args = build_parser().parse_args(["inspect", "--instrument", "loki", "--kind", kind])

    [topic] = _topics(args)
    assert topic.startswith("loki_livedata_")
