"""``livedash broker``: run the embedded in-memory Kafka broker in the foreground.

For the demo and local development only: every topic and message lives in memory and is
gone when the broker stops. With ``--instrument`` the broker creates that instrument's
livedata topics each time it starts, so a broker restarted by supervisord comes back
with its topics and the running clients resume by themselves (docs/RELIABILITY.md).
Runs until SIGTERM or SIGINT, then stops the broker and exits 0. Exits 1 if the broker
cannot start (for example, its port is taken), cannot create the topics, or dies.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

import structlog

from ..kafka.admin import ensure_topics
from ..kafka.errors import KafkaLayerError
from ..kafka.settings import KafkaSettings
from ..protocol.topics import livedata_topic_specs
from .tansu import BrokerError, EmbeddedBroker

logger = structlog.get_logger(__name__)

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_WATCH_INTERVAL_S = 0.2


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "broker",
        help="run the embedded in-memory Kafka broker (Tansu) in the foreground",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--port", type=int, default=9092, help="port to listen on (9092)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--advertised-host",
        default=None,
        help="address clients are told to connect to (default: --host, or 127.0.0.1 "
        "when listening on all addresses)",
    )
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="fail if the broker does not answer within this time (10)",
    )
    parser.add_argument(
        "--instrument",
        action="append",
        default=[],
        metavar="NAME",
        help="create this instrument's livedata topics whenever the broker starts (repeatable)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the broker until a stop signal; the process exit code."""
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in _STOP_SIGNALS}
    try:
        broker = EmbeddedBroker(
            port=args.port, host=args.host, advertised_host=args.advertised_host
        )
        specs = [spec for name in args.instrument for spec in livedata_topic_specs(name)]
    except ValueError as exc:
        logger.error("broker_failed", error=str(exc))
        return 2
    try:
        broker.start()
        broker.wait_ready(args.ready_timeout)
        if specs:
            settings = KafkaSettings(bootstrap=broker.bootstrap)
            created = ensure_topics(settings, specs, timeout_s=args.ready_timeout)
            logger.info("broker_topics_created", topics=created)
        logger.info("broker_serving", bootstrap=broker.bootstrap, storage="memory")
        while not stop.wait(_WATCH_INTERVAL_S):
            if not broker.running and not stop.is_set():
                logger.error("broker_died", status=broker.returncode)
                return 1
        logger.info("broker_shutdown", signal=signal.Signals(received[0]).name)
        return 0
    except (BrokerError, KafkaLayerError) as exc:
        logger.error("broker_failed", error=str(exc))
        return 1
    finally:
        broker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
