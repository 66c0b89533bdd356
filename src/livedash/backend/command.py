"""``livedash fake-backend``: run the fake ESS backend services against Kafka.

The process reads ``{inst}_livedata_commands`` and ``{inst}_livedata_roi`` from the high
watermark (old commands are never replayed) and writes results, heartbeats and acks to
``{inst}_livedata_data``, ``_heartbeat`` and ``_responses``. The topics must exist
(``livedash topics --instrument NAME``), as for the real services. SIGTERM or SIGINT
publishes the final ``stopped`` heartbeats and exits 0.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import structlog

from livedash.instruments import Instrument, UnknownInstrumentError, load_instrument
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.errors import KafkaFatalError, KafkaLayerError
from livedash.kafka.producer import Producer
from livedash.kafka.settings import add_kafka_arguments, settings_from_args

from .faults import FaultPlan
from .service import BackendTopics, FakeBackend
from .settings import BackendSettings

logger = structlog.get_logger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fake-backend",
        help="simulate the ESS live-data backend services on Kafka",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--instrument", default="dummy", help="instrument name (default dummy)")
    parser.add_argument(
        "--update-interval",
        type=_positive_float,
        default=1.0,
        metavar="SECONDS",
        help="period of result updates per job (default 1.0)",
    )
    parser.add_argument(
        "--heartbeat-interval",
        type=_positive_float,
        default=2.0,
        metavar="SECONDS",
        help="period of job and service heartbeats (default 2.0)",
    )
    parser.add_argument(
        "--fail-workflow",
        action="append",
        default=[],
        metavar="NAME",
        help="jobs of this workflow (e.g. panel_0_xy) report error and emit no data (repeatable)",
    )
    parser.add_argument(
        "--warn-workflow",
        action="append",
        default=[],
        metavar="NAME",
        help="jobs of this workflow report a warning but keep emitting (repeatable)",
    )
    parser.add_argument(
        "--garbage-fraction",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of data and status messages replaced by or interleaved with "
        "garbage bytes (default 0)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for the synthetic data")
    add_kafka_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run until SIGTERM/SIGINT; 0 on a clean stop, 1 on a fatal Kafka error, 2 on bad usage."""
    try:
        instrument = load_instrument(args.instrument)
        settings = BackendSettings(
            instrument=instrument.name,
            update_interval_s=args.update_interval,
            heartbeat_interval_s=args.heartbeat_interval,
            fail_workflows=frozenset(args.fail_workflow),
            warn_workflows=frozenset(args.warn_workflow),
            garbage_fraction=args.garbage_fraction,
            seed=args.seed,
        )
        kafka = settings_from_args(args)
        _check_fault_names(instrument, settings)
    except (UnknownInstrumentError, ValueError) as err:
        logger.error("fake_backend_bad_usage", error=str(err))
        return 2
    topics = BackendTopics.for_instrument(instrument.name)
    try:
        source = AssignedConsumer.create(
            kafka, topics=topics.inputs, group_prefix=f"{instrument.name}_fake_backend"
        )
    except KafkaLayerError as err:
        logger.error("fake_backend_cannot_start", error=str(err))
        return 1
    sink = Producer.create(kafka, client_id=f"livedash-fake-backend-{instrument.name}")
    backend = FakeBackend(instrument=instrument, settings=settings, source=source, sink=sink)
    stop = threading.Event()
    with _stop_on_signals(stop):
        try:
            backend.run(stop)
        except KafkaFatalError as err:
            logger.error("fake_backend_kafka_fatal", error=str(err))
            return 1
    return 0


def _check_fault_names(instrument: Instrument, settings: BackendSettings) -> None:
    """Refuse fault injection for workflows the instrument lacks, before connecting."""
    plan = FaultPlan(fail_workflows=settings.fail_workflows, warn_workflows=settings.warn_workflows)
    plan.check_known(spec.id.name for spec in instrument.workflows.values())


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM/SIGINT while inside; restore the previous handlers after."""

    def handler(signum: int, _frame: object) -> None:
        logger.info("fake_backend_signal", signal=signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be within [0, 1], got {text!r}")
    return value
