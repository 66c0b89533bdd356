"""``livedash inspect``: tail livedata topics, or decode one message file, and print it.

Every message is printed decoded, one JSON object per line with ``--json`` or as a short
readable summary. A message that cannot be decoded is printed as an error line with the
reason, and inspection goes on.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.errors import KafkaLayerError
from livedash.kafka.settings import add_kafka_arguments, settings_from_args
from livedash.protocol.topics import StreamKind, topic_for

from .describe import describe
from .render import render

KINDS: dict[str, StreamKind] = {
    "data": StreamKind.DATA,
    "heartbeat": StreamKind.STATUS,
    "responses": StreamKind.RESPONSES,
    "commands": StreamKind.COMMANDS,
    "roi": StreamKind.ROI,
    "nicos_data": StreamKind.NICOS_DATA,
}
_DEFAULT_KINDS = ("data", "heartbeat", "responses", "commands", "roi")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="print livedata messages decoded",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--instrument", default="dummy", help="instrument name (topic prefix)")
    parser.add_argument(
        "--kind",
        action="append",
        choices=sorted(KINDS),
        help="topic kind to tail (repeatable); default: all livedata topics",
    )
    parser.add_argument("--topic", action="append", help="explicit topic name (repeatable)")
    parser.add_argument("--file", type=Path, help="decode one message's raw value bytes")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--from-beginning", action="store_true", help="read retained history, not just new messages"
    )
    parser.add_argument("--max", type=int, default=0, help="stop after N messages (0: no limit)")
    parser.add_argument(
        "--duration", type=float, default=0.0, help="stop after S seconds (0: until Ctrl-C)"
    )
    add_kafka_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    topics = _topics(args)
    if args.file is not None:
        if len(topics) != 1:
            print("--file needs exactly one --topic or --kind", file=sys.stderr)
            return 2
        try:
            value = args.file.read_bytes()
        except OSError as err:
            print(f"cannot read {args.file}: {err.strerror}", file=sys.stderr)
            return 2
        _emit(out, args.json, {"topic": topics[0], "file": str(args.file)}, topics[0], value)
        return 0
    return _tail(args, topics, out)


def _topics(args: argparse.Namespace) -> list[str]:
    explicit = list(args.topic or [])
    kinds = args.kind or ([] if explicit else list(_DEFAULT_KINDS))
    return explicit + [topic_for(args.instrument, KINDS[kind]) for kind in kinds]


def _tail(args: argparse.Namespace, topics: list[str], out: TextIO) -> int:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        consumer = AssignedConsumer.create(
            settings_from_args(args),
            topics=topics,
            group_prefix="livedash_inspect",
            start="beginning" if args.from_beginning else "end",
        )
    except KafkaLayerError as err:
        print(f"livedash inspect: {err}", file=sys.stderr)
        return 1
    deadline = time.monotonic() + args.duration if args.duration > 0 else None
    seen = 0
    try:
        while deadline is None or time.monotonic() < deadline:
            for message in consumer.poll_batch(max_messages=100, timeout_s=0.2):
                meta = {
                    "topic": message.topic,
                    "partition": message.partition,
                    "offset": message.offset,
                    "timestamp_ms": message.timestamp_ms,
                }
                _emit(out, args.json, meta, message.topic, message.value)
                seen += 1
                if args.max and seen >= args.max:
                    return 0
    except KeyboardInterrupt:
        return 0
    except KafkaLayerError as err:
        print(f"livedash inspect: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    finally:
        consumer.close()
    return 0


def _emit(out: TextIO, as_json: bool, meta: dict[str, Any], topic: str, value: bytes) -> None:
    description = describe(topic, value)
    if as_json:
        out.write(json.dumps({**meta, **description}, default=str) + "\n")
    else:
        where = " ".join(f"{k}={v}" for k, v in meta.items() if v is not None)
        out.write(f"[{where}] {render(description)}\n")
    out.flush()
