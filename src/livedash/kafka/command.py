"""``livedash topics``: create an instrument's livedata topics if they are missing.

Prints one line per topic (``created`` or ``exists``) on stdout and exits 0; safe to
run any number of times. Exits 2 for invalid arguments or settings, and 1 with a
single-line message on stderr when Kafka cannot be reached within ``--timeout``
seconds or refuses the request.
"""

from __future__ import annotations

import argparse
import sys

from ..protocol.topics import livedata_topic_specs
from .admin import ensure_topics
from .errors import BrokerUnavailableError, KafkaLayerError
from .settings import SettingsError, add_kafka_arguments, settings_from_args

_PROG = "livedash topics"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "topics",
        help="create the livedata topics of an instrument (idempotent)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--instrument", required=True, help="instrument name, the topic prefix (e.g. dummy)"
    )
    add_kafka_arguments(parser)
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="give up if Kafka does not answer within this time (default: 10)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Create the missing topics; the process exit code."""
    if args.timeout <= 0:
        return _fail(2, f"--timeout must be positive, got {args.timeout}")
    try:
        settings = settings_from_args(args)
        specs = livedata_topic_specs(args.instrument)
    except (SettingsError, ValueError) as exc:
        return _fail(2, str(exc))
    try:
        created = set(ensure_topics(settings, specs, timeout_s=args.timeout))
    except BrokerUnavailableError as exc:
        return _fail(
            1, f"cannot reach Kafka at {settings.bootstrap} within {args.timeout:g} s ({exc})"
        )
    except KafkaLayerError as exc:
        return _fail(1, f"Kafka at {settings.bootstrap}: {exc}")
    for spec in specs:
        state = "created" if spec.name in created else "exists"
        sys.stdout.write(f"{state:<8} {spec.name}\n")
    return 0


def _fail(code: int, message: str) -> int:
    sys.stderr.write(f"{_PROG}: error: {message}\n")
    return code
