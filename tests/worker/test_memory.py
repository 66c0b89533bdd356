from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from structlog.testing import capture_logs

from livedash.worker.memory import MemoryTrimmer
from livedash.worker.runtime import SessionRegistry


class InlineExecutor:
    """Runs submitted work at once, as a one-thread executor would, later."""

    def __init__(self) -> None:
        self.submitted = 0
        self.shut_down = False

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        if self.shut_down:
            raise RuntimeError("cannot schedule new futures after shutdown")
        self.submitted += 1
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future


def make(ended: list[int]) -> tuple[MemoryTrimmer, InlineExecutor, list[str]]:
    calls: list[str] = []
    executor = InlineExecutor()
    trimmer = MemoryTrimmer(
        ended=lambda: ended[0],
        executor=executor,  # type: ignore[arg-type]
        malloc_trim=lambda: calls.append("trim"),
        collect=lambda: calls.append("collect") or 0,
    )
    return trimmer, executor, calls


def test_nothing_is_trimmed_while_no_session_ended() -> None:
    trimmer, executor, calls = make([3])
    assert not trimmer.check()
    assert executor.submitted == 0
    assert calls == []


def test_sessions_ended_since_the_last_check_cause_one_collect_and_trim() -> None:
    ended = [0]
    trimmer, _executor, calls = make(ended)
    ended[0] = 2
    with capture_logs() as logs:
        assert trimmer.check()
    assert calls == ["collect", "trim"]
    assert [entry["event"] for entry in logs] == ["memory_trimmed"]
    assert not trimmer.check()  # nothing ended since
    assert trimmer.trims == 1


def test_a_stopping_worker_is_not_trimmed() -> None:
    ended = [0]
    trimmer, executor, calls = make(ended)
    executor.shut_down = True
    ended[0] = 1
    assert not trimmer.check()
    assert calls == []


def test_a_failing_trim_is_logged_and_the_next_one_still_runs() -> None:
    ended = [0]
    executor = InlineExecutor()
    outcomes = [RuntimeError("boom"), None]

    def trim() -> None:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    trimmer = MemoryTrimmer(
        ended=lambda: ended[0],
        executor=executor,  # type: ignore[arg-type]
        malloc_trim=trim,
        collect=lambda: 0,
    )
    ended[0] = 1
    with capture_logs() as logs:
        trimmer.check()
    assert [entry["event"] for entry in logs] == ["memory_trim_failed"]
    ended[0] = 2
    trimmer.check()
    assert trimmer.trims == 1


def test_the_real_malloc_trim_is_found_on_glibc() -> None:
    trimmer = MemoryTrimmer(ended=lambda: 0, executor=InlineExecutor())  # type: ignore[arg-type]
    assert trimmer._malloc_trim is not None
    trimmer._malloc_trim()


def test_the_registry_counts_ended_sessions_once_each() -> None:
    registry: SessionRegistry[object] = SessionRegistry()
    registry.register("a", object())
    registry.register("b", object())
    registry.unregister("a")
    registry.unregister("a")
    assert registry.ended == 1
    assert registry.count() == 1
