"""``livedash fake-backend``: argument handling, and the real process against Kafka."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from livedash.backend import command
from livedash.cli import build_parser, main
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.protocol.acks import AckResponse, decode_ack
from livedash.protocol.errors import DecodeError
from livedash.protocol.results import decode_result
from livedash.protocol.status import (
    JobState,
    JobStatus,
    ServiceState,
    ServiceStatus,
    decode_status,
)
from tests.helpers import wait_until

from .conftest import load_sample

PACKAGED_DUMMY = Path(command.__file__).parents[1] / "instruments" / "data" / "dummy.json"


def parse(*argv):
    return build_parser().parse_args(["fake-backend", *argv])


def test_defaults_match_the_real_backend_cadence():
    args = parse()
    assert args.instrument == "dummy"
    assert args.update_interval == 1.0
    assert args.heartbeat_interval == 2.0
    assert args.garbage_fraction == 0.0
    assert args.fail_workflow == []


def test_fault_flags_repeat():
    args = parse("--fail-workflow", "panel_0_xy", "--fail-workflow", "total_counts")
    assert args.fail_workflow == ["panel_0_xy", "total_counts"]


@pytest.mark.parametrize(
    "argv",
    [
        ("--garbage-fraction", "1.5"),
        ("--update-interval", "0"),
        ("--heartbeat-interval", "-2"),
        ("--update-interval", "soon"),
    ],
)
def test_invalid_numbers_are_usage_errors(argv):
    with pytest.raises(SystemExit) as exc:
        parse(*argv)
    assert exc.value.code == 2


def test_unknown_instrument_exits_2():
    assert main(["fake-backend", "--instrument", "nosuchinstrument"]) == 2


def test_unknown_fault_workflow_exits_2_before_connecting():
    argv = ["fake-backend", "--fail-workflow", "nope", "--kafka-bootstrap", "127.0.0.1:1"]
    assert main(argv) == 2


# --- integration: the real process against the embedded broker -------------------------


def write_instrument(directory: Path, name: str) -> dict[str, str]:
    """A copy of the dummy instrument called ``name``; the env that makes it loadable."""
    text = PACKAGED_DUMMY.read_text(encoding="utf-8").replace("dummy", name)
    (directory / f"{name}.json").write_text(text, encoding="utf-8")
    return {**os.environ, "LIVEDASH_INSTRUMENT_PATH": str(directory)}


def for_instrument(sample_name: str, instrument: str) -> bytes:
    value = load_sample(sample_name).value
    return value.replace(b'"instrument":"dummy"', f'"instrument":"{instrument}"'.encode())


class Process:
    """``python -m livedash fake-backend`` with its output in a log file."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "livedash", "fake-backend", *argv],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=20)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)


class Reader:
    """Everything the process publishes, read from the beginning of the fresh topics."""

    def __init__(self, settings, instrument: str) -> None:
        self.topics = {
            kind: f"{instrument}_livedata_{kind}" for kind in ("data", "heartbeat", "responses")
        }
        self.consumer = AssignedConsumer.create(
            settings, topics=list(self.topics.values()), group_prefix="test", start="beginning"
        )
        self.received: dict[str, list[bytes]] = {topic: [] for topic in self.topics.values()}

    def poll(self) -> None:
        for message in self.consumer.poll_batch(max_messages=500, timeout_s=0.05):
            self.received[message.topic].append(message.value)

    def values(self, kind: str) -> list[bytes]:
        self.poll()
        return self.received[self.topics[kind]]

    def heartbeats(self):
        return [decode_status(value) for value in self.values("heartbeat")]

    def acks(self):
        return [decode_ack(value) for value in self.values("responses")]

    def results(self):
        decoded = []
        for value in self.values("data"):
            try:
                decoded.append(decode_result(value))
            except DecodeError:
                continue
        return decoded


@pytest.fixture
def backend_process(instrument_topics, kafka_settings, tmp_path):
    env = write_instrument(tmp_path, instrument_topics)
    argv = [
        "--instrument", instrument_topics,
        "--kafka-bootstrap", kafka_settings.bootstrap,
        "--update-interval", "0.5",
        "--heartbeat-interval", "0.5",
        "--seed", "3",
    ]  # fmt: skip
    process = Process(argv, env, tmp_path / "fake-backend.log")
    reader = Reader(kafka_settings, instrument_topics)
    producer = Producer.create(kafka_settings, client_id="test-dashboard")
    try:
        # The first heartbeat comes after the backend's consumer is assigned.
        wait_until(
            lambda: reader.values("heartbeat"),
            timeout_s=30.0,
            message=f"no heartbeat; log: {process.log.read_text(errors='replace')}",
        )
        yield process, reader, producer, instrument_topics
    finally:
        process.kill()
        producer.close()
        reader.consumer.close()


@pytest.mark.integration
def test_process_acks_commands_and_publishes_decodable_results(backend_process):
    _process, reader, producer, instrument = backend_process
    producer.produce(
        f"{instrument}_livedata_commands",
        for_instrument("cmd_workflow_config_monitor_histogram_monitor1", instrument),
    )
    producer.flush(5.0)
    [ack] = wait_until(reader.acks, timeout_s=15.0)
    assert ack.response is AckResponse.ACK
    assert ack.device == "monitor1"
    assert ack.message_id == "dab0a4d0-0000-4000-8000-00000000000d"
    results = wait_until(lambda: len(reader.results()) >= 12 and reader.results(), 15.0)
    names = {key.output_name for key, _ in results}
    assert names == {
        "cumulative",
        "current",
        "counts_total",
        "counts_in_toa_range",
        "counts_total_cumulative",
        "counts_in_toa_range_cumulative",
    }
    histogram = next(message.data for key, message in results if key.output_name == "current")
    assert histogram.shape == (100,)
    assert histogram.variances is not None


@pytest.mark.integration
def test_process_stops_jobs_on_command(backend_process):
    _process, reader, producer, instrument = backend_process
    topic = f"{instrument}_livedata_commands"
    producer.produce(
        topic, for_instrument("cmd_workflow_config_monitor_histogram_monitor1", instrument)
    )
    producer.produce(
        topic,
        for_instrument("cmd_job_command_stop_by_job_id_monitor_histogram_monitor1", instrument),
    )
    producer.flush(5.0)
    acks = wait_until(lambda: len(reader.acks()) >= 2 and reader.acks(), timeout_s=15.0)
    assert [ack.device for ack in acks] == [
        "monitor1",
        "monitor1/dab0a4d0-0000-4000-8000-00000000000c",
    ]


@pytest.mark.integration
def test_sigterm_publishes_stopped_heartbeats_and_exits_0(backend_process):
    process, reader, producer, instrument = backend_process
    producer.produce(
        f"{instrument}_livedata_commands",
        for_instrument("cmd_workflow_config_total_counts", instrument),
    )
    producer.flush(5.0)
    wait_until(reader.acks, timeout_s=15.0)
    assert process.stop() == 0

    def stopped():
        beats = reader.heartbeats()
        return [beat for beat in beats if beat.status.state in ("stopped",)]

    final = wait_until(lambda: len(stopped()) >= 5 and stopped(), timeout_s=15.0)
    services = [beat.status for beat in final if isinstance(beat.status, ServiceStatus)]
    jobs = [beat.status for beat in final if isinstance(beat.status, JobStatus)]
    assert sorted(status.service_name for status in services) == [
        "data_reduction",
        "detector_data",
        "monitor_data",
        "timeseries",
    ]
    assert {status.state for status in services} == {ServiceState.STOPPED}
    assert [job.state for job in jobs] == [JobState.STOPPED]


@pytest.mark.integration
def test_missing_topics_exit_1(kafka_settings, tmp_path):
    name = "tnotopics1"
    env = write_instrument(tmp_path, name)
    process = Process(
        ["--instrument", name, "--kafka-bootstrap", kafka_settings.bootstrap],
        env,
        tmp_path / "fake-backend.log",
    )
    try:
        assert process.popen.wait(timeout=60) == 1
    finally:
        process.kill()
    assert "fake_backend_cannot_start" in process.log.read_text(errors="replace")
