"""``livedash serve``: argument handling (the running process is in test_serve_process.py)."""

from __future__ import annotations

import logging

import pytest
import structlog

from livedash.cli import build_parser, main


@pytest.fixture(autouse=True)
def _restore_logging():
    """``main()`` points structlog and the root logger at this test's captured stderr,
    which pytest closes afterwards; put the previous configuration back."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.configure(**saved)
    root.handlers[:] = handlers
    root.setLevel(level)


def parse(*argv):
    return build_parser().parse_args(["serve", *argv])


def test_defaults_match_the_contract():
    args = parse()
    assert (args.port, args.address, args.prefix, args.worker_index) == (5009, "127.0.0.1", "", 0)
    assert (args.instrument, args.kafka_bootstrap, args.public_url) == ("dummy", None, None)
    assert args.allow_websocket_origin == []
    assert (args.reap_visible_after, args.reap_hidden_after) == (60.0, 900.0)
    assert args.num_threads == 0
    assert args.connect_timeout == 30.0


def test_websocket_origins_repeat():
    args = parse("--allow-websocket-origin", "a:8080", "--allow-websocket-origin", "b")
    assert args.allow_websocket_origin == ["a:8080", "b"]


@pytest.mark.parametrize(
    "argv",
    [
        ("--port", "0"),
        ("--port", "http"),
        ("--worker-index", "-1"),
        ("--reap-visible-after", "0"),
        ("--reap-hidden-after", "-5"),
        ("--num-threads", "-1"),
        ("--connect-timeout", "0"),
    ],
)
def test_invalid_values_are_usage_errors(argv):
    with pytest.raises(SystemExit) as exc:
        parse(*argv)
    assert exc.value.code == 2


def test_unknown_instrument_exits_2():
    assert main(["serve", "--instrument", "nosuchinstrument"]) == 2


def test_a_bad_prefix_exits_2():
    assert main(["serve", "--prefix", "/w/../0"]) == 2


def test_hidden_timeout_shorter_than_visible_exits_2():
    argv = ["serve", "--reap-visible-after", "120", "--reap-hidden-after", "60"]
    assert main(argv) == 2


def test_bad_kafka_settings_exit_2():
    assert main(["serve", "--kafka-bootstrap", "no-port-here"]) == 2
