"""Pieces of the worker process that need no running server."""

from __future__ import annotations

import threading

import structlog
from structlog.testing import capture_logs
from tornado.websocket import WebSocketProtocol13, _WebSocketParams

from livedash.instruments import load_instrument
from livedash.kafka.settings import KafkaSettings
from livedash.worker.runtime import WorkerRuntime
from livedash.worker.serve import (
    WEBSOCKET_PING_INTERVAL_S,
    WEBSOCKET_PING_TIMEOUT_S,
    ServeOptions,
    bind_worker_logging,
    websocket_origins,
)


def options(**overrides) -> ServeOptions:
    return ServeOptions(
        instrument=load_instrument("dummy"), kafka=KafkaSettings(), port=5012, **overrides
    )


def test_direct_access_origins_are_always_allowed():
    assert websocket_origins(options()) == ["localhost:5012", "127.0.0.1:5012"]


def test_given_origins_and_the_public_url_host_are_allowed():
    origins = websocket_origins(
        options(websocket_origins=("ctrl.example:8080",), public_url="https://dash.example/")
    )
    assert origins[:2] == ["ctrl.example:8080", "dash.example"]


def test_a_specific_bind_address_is_an_allowed_origin():
    assert "10.0.0.7:5012" in websocket_origins(options(address="10.0.0.7"))


def test_worker_identity_is_on_log_lines_of_other_threads():
    runtime = WorkerRuntime(worker_index=4, port=5012)
    saved = structlog.get_config()
    try:
        bind_worker_logging(runtime)
        with capture_logs(processors=structlog.get_config()["processors"][:1]) as logs:
            thread = threading.Thread(target=lambda: structlog.get_logger("t").info("hello"))
            thread.start()
            thread.join()
    finally:
        structlog.configure(**saved)
        structlog.contextvars.clear_contextvars()
    assert logs[0]["worker_id"] == runtime.worker_id
    assert logs[0]["worker_index"] == 4


def test_the_websocket_ping_timeout_is_the_one_tornado_applies():
    # Tornado >= 6.5 silently caps the timeout at the ping interval (it logs a warning
    # once): with 10 s / 30 s the timeout in force was 10 s, and busy workers dropped
    # healthy tabs whose pongs they read late.
    protocol = object.__new__(WebSocketProtocol13)
    protocol.params = _WebSocketParams(
        ping_interval=WEBSOCKET_PING_INTERVAL_S, ping_timeout=WEBSOCKET_PING_TIMEOUT_S
    )
    assert protocol.ping_timeout == WEBSOCKET_PING_TIMEOUT_S >= 20.0
    assert WEBSOCKET_PING_INTERVAL_S + WEBSOCKET_PING_TIMEOUT_S <= 40.0  # docs/sessions.md
