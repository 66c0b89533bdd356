"""The demo: an embedded broker, the livedata topics and the fake backend, in one command.

Runs in the foreground until SIGINT or SIGTERM, then stops the fake backend first (so it
publishes its final ``stopped`` heartbeats while the broker is still there) and the broker
last. If a child process dies on its own, everything is stopped and the exit code is 1.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from types import FrameType

import structlog

from livedash.broker.tansu import BrokerError, EmbeddedBroker
from livedash.children import owned_child_kwargs
from livedash.kafka.admin import ensure_topics
from livedash.kafka.errors import KafkaLayerError
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import livedata_topic_specs

logger = structlog.get_logger(__name__)

_CHILD_STOP_TIMEOUT_S = 15.0
_WATCH_INTERVAL_S = 0.5


@dataclass(frozen=True)
class DemoOptions:
    instrument: str = "dummy"
    kafka_port: int = 9092
    external_bootstrap: str | None = None
    update_interval_s: float = 1.0
    log_level: str = "INFO"


def run_demo(options: DemoOptions) -> int:
    """Bring the demo up, wait for a stop signal, bring it down; the process exit code."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("demo stopping", signal=signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    broker: EmbeddedBroker | None = None
    backend: subprocess.Popen[bytes] | None = None
    try:
        if options.external_bootstrap is None:
            broker = EmbeddedBroker(port=options.kafka_port)
            broker.start()
            broker.wait_ready(timeout_s=30.0)
            bootstrap = broker.bootstrap
        else:
            bootstrap = options.external_bootstrap
        created = ensure_topics(
            KafkaSettings(bootstrap=bootstrap), livedata_topic_specs(options.instrument)
        )
        logger.info("topics ready", instrument=options.instrument, created=created)
        backend = subprocess.Popen(  # noqa: S603 - fixed argument list, our own interpreter
            _backend_command(options, bootstrap), **owned_child_kwargs()
        )
        _announce(options, bootstrap)
        return _watch(stop, broker, backend)
    except (BrokerError, KafkaLayerError) as err:
        logger.error("demo failed to start", error=str(err))
        return 1
    finally:
        _stop_child(backend)
        if broker is not None:
            broker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _backend_command(options: DemoOptions, bootstrap: str) -> list[str]:
    return [
        sys.executable, "-m", "livedash", "--log-level", options.log_level,
        "fake-backend", "--instrument", options.instrument, "--kafka-bootstrap", bootstrap,
        "--update-interval", str(options.update_interval_s),
    ]  # fmt: skip


def _watch(
    stop: threading.Event, broker: EmbeddedBroker | None, backend: subprocess.Popen[bytes]
) -> int:
    while not stop.wait(_WATCH_INTERVAL_S):
        if backend.poll() is not None:
            logger.error("fake backend exited", returncode=backend.returncode)
            return 1
        if broker is not None and not broker.running:
            logger.error("broker exited", returncode=broker.returncode)
            return 1
    return 0


def _stop_child(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=_CHILD_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        logger.warning("fake backend ignored SIGTERM; killing it", pid=process.pid)
        process.kill()
        process.wait()


def _announce(options: DemoOptions, bootstrap: str) -> None:
    lines = [
        "",
        f"livedash demo is up: Kafka at {bootstrap}, instrument {options.instrument!r}.",
        "Watch it from another terminal, for example:",
        f"  livedash inspect --kafka-bootstrap {bootstrap} --instrument {options.instrument}"
        " --kind heartbeat",
        "Press Ctrl-C to stop.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
