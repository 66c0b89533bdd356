"""``livedash demo``: everything on one machine for a demonstration (see :mod:`.demo`)."""

from __future__ import annotations

import argparse

from .demo import DemoOptions, run_demo


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the embedded broker, topics and fake backend together (foreground)",
        description=__doc__,
    )
    parser.add_argument("--instrument", default="dummy", help="instrument name (dummy)")
    parser.add_argument(
        "--kafka-port", type=int, default=9092, help="port of the embedded broker (9092)"
    )
    parser.add_argument(
        "--kafka-bootstrap",
        default=None,
        metavar="HOST:PORT",
        help="use this running broker instead of starting the embedded one",
    )
    parser.add_argument(
        "--update-interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="how often the fake backend publishes results (1.0)",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    return run_demo(
        DemoOptions(
            instrument=args.instrument,
            kafka_port=args.kafka_port,
            external_bootstrap=args.kafka_bootstrap,
            update_interval_s=args.update_interval,
            log_level=args.log_level,
        )
    )
