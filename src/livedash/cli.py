"""The ``livedash`` command: one sub-command per process or tool.

Each sub-command lives in its own package as a ``command`` module exposing
``add_parser(subparsers)``; the parser it adds sets ``func`` to the callable that runs it
and returns the process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .logs import configure_logging

# Sub-command modules, imported lazily so that `livedash broker` does not import Panel.
_COMMANDS = (
    "livedash.broker.command",
    "livedash.kafka.command",
    "livedash.backend.command",
    "livedash.inspect.command",
    "livedash.deploy.command",
    "livedash.worker.command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="livedash", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"livedash {__version__}")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    parser.add_argument(
        "--log-format", choices=("console", "json"), default="console", help="log line format"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in _COMMANDS:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.log_level, args.log_format)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
