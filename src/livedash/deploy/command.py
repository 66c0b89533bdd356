"""``livedash deploy ...`` (render, scale, drain, undrain, status) and ``livedash demo``.

Exit codes: 0 success; 1 the operation failed (a worker, supervisord or nginx did not do
its part; the message says which and what to do); 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import structlog

from .demo import DemoOptions, run_demo
from .nginx import NginxError
from .render import write_config
from .scale import ScaleError, ScaleTimeouts, scale
from .settings import MAX_WORKERS, DeploySettings, load_settings
from .status import format_table, worker_rows
from .supervisor import Supervisor, SupervisorError
from .workers import WorkerError, fetch_health, set_draining

logger = structlog.get_logger(__name__)

_DEFAULTS = DeploySettings()


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    _add_demo_parser(subparsers)
    deploy = subparsers.add_parser(
        "deploy",
        help="render, scale and operate a deployment (nginx + supervisord + workers)",
        description="Render and operate a livedash deployment; see docs/operations.md.",
    )
    actions = deploy.add_subparsers(dest="action", required=True, metavar="ACTION")
    _add_render_parser(actions)

    scale_parser = actions.add_parser(
        "scale", help="change the number of workers without dropping surviving sessions"
    )
    scale_parser.add_argument("workers", type=_worker_count, help="the new number of workers")
    _add_config_dir(scale_parser)
    scale_parser.add_argument(
        "--health-timeout",
        type=float,
        default=180.0,
        metavar="S",
        help="how long new workers may take to answer /health (default 180)",
    )
    scale_parser.add_argument(
        "--drain-wait",
        type=float,
        default=0.0,
        metavar="S",
        help="give tabs on removed workers up to S seconds to close before stopping "
        "those workers (default 0)",
    )
    scale_parser.set_defaults(func=_run_scale)

    for action, draining in (("drain", True), ("undrain", False)):
        parser = actions.add_parser(
            action,
            help="stop giving new tabs to a worker (its open tabs keep working)"
            if draining
            else "let a drained worker take new tabs again",
        )
        parser.add_argument("index", type=int, help="worker index (0-based)")
        _add_config_dir(parser)
        parser.set_defaults(func=_run_drain, draining=draining)

    status = actions.add_parser("status", help="one line per worker: health, pid, sessions")
    _add_config_dir(status)
    status.set_defaults(func=_run_status)


def _add_render_parser(actions: argparse._SubParsersAction) -> None:
    d = _DEFAULTS
    render = actions.add_parser(
        "render",
        help="write nginx.conf, supervisord.conf and livedash-deploy.json",
        description="Write nginx.conf, supervisord.conf and the settings file "
        "livedash-deploy.json into --out, and create the run directory.",
    )
    add = render.add_argument
    add("--workers", type=_worker_count, required=True, help="number of dashboard workers")
    add("--out", type=Path, default=Path("."), help="directory for the files (default .)")
    add("--port", type=int, default=d.port, help=f"nginx port (default {d.port})")
    add(
        "--listen-address",
        default=d.listen_address,
        help=f"address nginx listens on; 0.0.0.0 for every interface (default {d.listen_address})",
    )
    add(
        "--public-host",
        default=d.public_host,
        metavar="HOST[:PORT]",
        help="the host name users type (default 127.0.0.1); the port defaults to --port. "
        "Workers accept WebSockets only from pages served under this name",
    )
    add(
        "--kafka-bootstrap",
        default=d.kafka_bootstrap,
        metavar="HOST:PORT[,...]",
        help=f"Kafka for the workers (default {d.kafka_bootstrap})",
    )
    add("--instrument", default=d.instrument, help=f"instrument name (default {d.instrument})")
    add(
        "--base-port",
        type=int,
        default=d.base_port,
        help=f"worker i listens on 127.0.0.1:(base-port + i) (default {d.base_port})",
    )
    add(
        "--run-dir",
        default=d.run_dir,
        help="logs, pid files and sockets; relative to --out unless absolute (default run)",
    )
    add(
        "--with-demo-services",
        action="store_true",
        help="also run the embedded broker, topic setup, the fake backend and nginx",
    )
    add("--with-nginx", action="store_true", help="also run nginx under supervisord")
    add(
        "--livedash-command",
        default=d.livedash_command,
        help="how supervisord starts livedash, e.g. /opt/livedash/.venv/bin/livedash "
        "(default: livedash on supervisord's PATH)",
    )
    add("--nginx-command", default=d.nginx_command, help="nginx binary (default: nginx on PATH)")
    add(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="environment for every program, e.g. KAFKA_SECURITY_PROTOCOL=SASL_SSL (repeatable)",
    )
    render.set_defaults(func=_run_render)


def _add_demo_parser(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run everything on this machine: broker, fake backend, workers, nginx (foreground)",
        description="Render the deployment with the demo services into --run-dir and run "
        "supervisord in the foreground. Ctrl-C stops everything in order.",
    )
    d = DemoOptions()
    demo.add_argument(
        "--workers",
        type=_worker_count,
        default=d.workers,
        help=f"number of dashboard workers (default {d.workers})",
    )
    demo.add_argument("--port", type=int, default=d.port, help=f"nginx port (default {d.port})")
    demo.add_argument(
        "--kafka-port",
        type=int,
        default=d.kafka_port,
        help=f"port of the embedded broker (default {d.kafka_port})",
    )
    demo.add_argument(
        "--base-port",
        type=int,
        default=d.base_port,
        help=f"first worker port (default {d.base_port})",
    )
    demo.add_argument(
        "--run-dir",
        type=Path,
        default=d.run_dir,
        help="configuration, logs and sockets (default ./run)",
    )
    demo.add_argument(
        "--instrument", default=d.instrument, help=f"instrument name (default {d.instrument})"
    )
    demo.set_defaults(func=_run_demo)


def _add_config_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config-dir",
        type=lambda text: Path(text).absolute(),
        default=Path("."),
        help="directory with livedash-deploy.json (default .)",
    )


def _run_render(args: argparse.Namespace) -> int:
    try:
        settings = DeploySettings(
            workers=args.workers,
            port=args.port,
            listen_address=args.listen_address,
            public_host=args.public_host,
            kafka_bootstrap=args.kafka_bootstrap,
            instrument=args.instrument,
            base_port=args.base_port,
            run_dir=args.run_dir,
            with_demo_services=args.with_demo_services,
            with_nginx=args.with_nginx,
            livedash_command=args.livedash_command,
            nginx_command=args.nginx_command,
            environment=_parse_env(args.env),
        )
    except ValueError as exc:
        return _fail(2, str(exc))
    for path in write_config(settings, args.out):
        sys.stdout.write(f"wrote {path}\n")
    sys.stdout.write(f"run directory {settings.run_path(args.out)}\n")
    return 0


def _run_scale(args: argparse.Namespace) -> int:
    timeouts = ScaleTimeouts(health_s=args.health_timeout, drain_wait_s=args.drain_wait)
    try:
        report = scale(args.config_dir, args.workers, timeouts=timeouts, say=_say)
    except ValueError as exc:
        return _fail(2, str(exc))
    except (ScaleError, SupervisorError, NginxError, WorkerError) as exc:
        return _fail(1, str(exc))
    _say(f"scaled from {report.workers_before} to {report.workers_after} worker(s)")
    return 0


def _run_drain(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config_dir)
        if not 0 <= args.index < settings.workers:
            raise ValueError(f"worker index must be within 0..{settings.workers - 1}")
        changed = set_draining(args.index, settings.worker_port(args.index), args.draining)
    except ValueError as exc:
        return _fail(2, str(exc))
    except WorkerError as exc:
        return _fail(1, str(exc))
    state = "draining" if args.draining else "accepting new tabs"
    _say(f"worker {args.index} {state}" + ("" if changed else " (it already was)"))
    return 0


def _run_status(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config_dir)
    except ValueError as exc:
        return _fail(2, str(exc))
    health = [fetch_health(i, port) for i, port in enumerate(settings.worker_ports())]
    try:
        processes = Supervisor.for_run_dir(settings.run_path(args.config_dir)).processes()
    except SupervisorError:
        processes = None
    sys.stdout.write(format_table(worker_rows(health, processes)))
    return 0 if all(worker.reachable for worker in health) else 1


def _run_demo(args: argparse.Namespace) -> int:
    return run_demo(
        DemoOptions(
            workers=args.workers,
            port=args.port,
            kafka_port=args.kafka_port,
            base_port=args.base_port,
            run_dir=args.run_dir,
            instrument=args.instrument,
        )
    )


def _parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--env needs KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def _worker_count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be within 1..{MAX_WORKERS}, got {text!r}")
    return value


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _fail(code: int, message: str) -> int:
    sys.stderr.write(f"livedash deploy: error: {message}\n")
    return code
