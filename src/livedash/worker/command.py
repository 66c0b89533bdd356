"""``livedash serve``: run one dashboard worker process.

The worker serves the dashboard at ``http://ADDRESS:PORT{prefix}/`` (every browser tab
gets its own session with its own Kafka consumer and producer), ``/health`` for load
balancers, ``/`` as the entry point that redirects to the prefix, and
``POST /admin/drain`` / ``/admin/undrain`` for operators on the same host. SIGTERM or
SIGINT closes every session and exits 0; SIGUSR1 toggles draining. See docs/sessions.md.
"""

from __future__ import annotations

import argparse

import structlog

from livedash.kafka.settings import add_kafka_arguments, settings_from_args

logger = structlog.get_logger(__name__)

DEFAULT_PORT = 5009


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the dashboard (one worker process)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="default 5009")
    parser.add_argument(
        "--address", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
    )
    parser.add_argument(
        "--prefix", default="", help="URL path prefix of the dashboard, e.g. /w/0 (default none)"
    )
    parser.add_argument(
        "--worker-index", type=_non_negative_int, default=0, help="this worker's index (default 0)"
    )
    parser.add_argument("--instrument", default="dummy", help="instrument name (default dummy)")
    add_kafka_arguments(parser)
    parser.add_argument(
        "--allow-websocket-origin",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="a host whose pages may open the websocket, e.g. the nginx address (repeatable)",
    )
    parser.add_argument(
        "--public-url", default=None, metavar="URL", help="the URL users open (for heartbeats)"
    )
    parser.add_argument(
        "--reap-visible-after",
        type=_positive_float,
        default=60.0,
        metavar="S",
        help="close a visible tab's session after S seconds without a browser heartbeat "
        "(default 60)",
    )
    parser.add_argument(
        "--reap-hidden-after",
        type=_positive_float,
        default=900.0,
        metavar="S",
        help="close a hidden tab's session after S seconds without a browser heartbeat "
        "(default 900: browsers run hidden tabs' timers once a minute)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=_positive_float,
        default=30.0,
        metavar="S",
        help="discard a session whose page has not opened its websocket within S seconds "
        "(default 30)",
    )
    parser.add_argument(
        "--num-threads",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="Panel threads for widget callbacks; 0 (default) runs them on the event loop",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM/SIGINT: 0 on a clean stop, 1 on failure, 2 on bad usage."""
    # Imported here so that other sub-commands do not import Panel.
    from livedash.instruments import UnknownInstrumentError, load_instrument  # noqa: PLC0415
    from livedash.ui.app import SessionSettings  # noqa: PLC0415
    from livedash.ui.lifecycle import LivenessSettings  # noqa: PLC0415

    from .runtime import normalize_prefix  # noqa: PLC0415
    from .serve import DashboardWorker, ServeOptions  # noqa: PLC0415

    try:
        options = ServeOptions(
            instrument=load_instrument(args.instrument),
            kafka=settings_from_args(args),
            port=args.port,
            address=args.address,
            prefix=normalize_prefix(args.prefix),
            worker_index=args.worker_index,
            websocket_origins=tuple(args.allow_websocket_origin),
            public_url=args.public_url,
            num_threads=args.num_threads,
            connect_timeout_s=args.connect_timeout,
            session=SessionSettings(
                liveness=LivenessSettings(
                    reap_visible_after_s=args.reap_visible_after,
                    reap_hidden_after_s=args.reap_hidden_after,
                )
            ),
        )
    except (UnknownInstrumentError, ValueError) as err:
        logger.error("serve_bad_usage", error=str(err))
        return 2
    try:
        return DashboardWorker(options=options).run()
    except OSError as err:  # typically the port is taken
        logger.error("serve_cannot_start", error=str(err), port=args.port, address=args.address)
        return 1


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"must be a port in 1..65535, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value
