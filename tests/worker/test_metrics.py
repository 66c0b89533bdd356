"""Process metrics: real numbers for this process, CPU measured between samples."""

from __future__ import annotations

import threading

from livedash.worker.metrics import ProcessMetrics


def test_a_sample_describes_this_process():
    sample = ProcessMetrics().sample()
    assert sample.rss_bytes > 10_000_000
    assert sample.threads >= 1
    assert sample.python_threads == threading.active_count()
    assert sample.cpu_percent >= 0


def test_threads_count_started_threads():
    metrics = ProcessMetrics()
    before = metrics.current().threads
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert metrics.current().threads == before + 1
    finally:
        stop.set()
        thread.join()


def test_current_reuses_the_cpu_figure_of_the_last_sample():
    metrics = ProcessMetrics()
    sampled = metrics.sample()
    assert metrics.current().cpu_percent == sampled.cpu_percent
    assert set(sampled.as_dict()) == {"rss_bytes", "cpu_percent", "threads", "python_threads"}
