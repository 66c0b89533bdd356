"""The status table: one line per worker from /health, with supervisord's view beside it."""

from __future__ import annotations

from livedash.deploy.status import format_table, worker_rows
from livedash.deploy.workers import WorkerHealth

_HEALTHY = {"status": "ok", "pid": 41, "sessions": 3, "uptime_s": 3725.4, "rss_bytes": 2**28}


def test_a_live_worker_shows_its_health_and_process_state() -> None:
    rows = worker_rows(
        [WorkerHealth(index=0, port=5100, reachable=True, document=_HEALTHY)],
        {"worker-0": {"statename": "RUNNING"}},
    )
    assert rows == [("0", "5100", "ok", "RUNNING", "41", "3", "1:02:05", "256 MiB")]


def test_a_dead_worker_is_down_with_supervisords_view() -> None:
    rows = worker_rows(
        [WorkerHealth(index=1, port=5101, reachable=False, document={})],
        {"worker-1": {"statename": "BACKOFF"}},
    )
    assert rows == [("1", "5101", "down", "BACKOFF", "-", "-", "-", "-")]


def test_process_state_is_unknown_without_supervisord() -> None:
    rows = worker_rows([WorkerHealth(index=0, port=5100, reachable=True, document=_HEALTHY)], None)
    assert rows[0][3] == "?"


def test_table_columns_line_up_under_the_header() -> None:
    text = format_table([("0", "5100", "draining", "RUNNING", "41", "12", "0:00:05", "9 MiB")])
    header, row = text.splitlines()
    assert header.index("status") == row.index("draining")
    assert header.index("sessions") == row.index("12")
