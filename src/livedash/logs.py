"""structlog configuration shared by every livedash process.

Log lines go to stderr, either human-readable (``console``) or one JSON object per line
(``json``, for log shippers). Processes bind their identity once (for example
``worker_id``) with :func:`structlog.contextvars.bind_contextvars`, so every line carries it.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from typing import Literal

import structlog

LogFormat = Literal["console", "json"]


def configure_logging(level: str = "INFO", fmt: LogFormat = "console") -> None:
    """Configure structlog and the stdlib root logger (librdkafka and Bokeh log there)."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(_CurrentStderr())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    librdkafka = logging.getLogger("librdkafka")
    librdkafka.filters[:] = [] if numeric <= logging.DEBUG else [RepeatFilter()]


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the time of writing.

    Binding the stream at configuration time would keep writing to a stream that was
    since replaced and closed (pytest's capture does this between tests).
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class RepeatFilter(logging.Filter):
    """Lets each distinct message through once per ``interval_s``.

    librdkafka logs every failed connection attempt of every client, several times a
    second while a broker is down. Those errors also reach livedash's error callbacks,
    which count them and log each kind once; the raw lines are kept for diagnosis but
    must not flood the log. Digits are ignored when comparing, so retries that differ
    only in counters or ports count as repeats.
    """

    def __init__(
        self, interval_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._interval_s = interval_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = record.levelname + _DIGITS.sub("", record.getMessage())
        now = self._clock()
        last = self._last_seen.get(key)
        if last is not None and now - last < self._interval_s:
            return False
        if len(self._last_seen) > _MAX_KEYS:
            self._last_seen.clear()
        self._last_seen[key] = now
        return True


_DIGITS = re.compile(r"\d+")
_MAX_KEYS = 1000
