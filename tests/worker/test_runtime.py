"""WorkerRuntime and SessionRegistry: identity, live sessions, the draining flag."""

from __future__ import annotations

import threading
import uuid

import pytest

from livedash.worker.runtime import SessionRegistry, WorkerRuntime, normalize_prefix
from tests.session.fakes import FakeClock


def make_runtime(**overrides) -> WorkerRuntime:
    return WorkerRuntime(**{"worker_index": 0, "port": 5009, **overrides})


def test_each_runtime_mints_its_own_uuid4_worker_id():
    first, second = make_runtime(), make_runtime()
    assert uuid.UUID(first.worker_id).version == 4
    assert first.worker_id != second.worker_id


def test_a_given_worker_id_is_kept_in_canonical_form():
    given = "1B4E28BA-2FA1-11D2-883F-0016D3CCA427"
    assert make_runtime(worker_id=given).worker_id == given.lower()


def test_a_worker_id_that_is_not_a_uuid_is_rejected():
    with pytest.raises(ValueError, match="'w1'"):
        make_runtime(worker_id="w1")


@pytest.mark.parametrize(("field", "value"), [("worker_index", -1), ("port", 0), ("port", 70000)])
def test_invalid_identity_is_rejected_naming_the_value(field, value):
    with pytest.raises(ValueError, match=str(value)):
        make_runtime(**{field: value})


def test_started_at_is_wall_clock_ns_and_uptime_is_monotonic():
    clock = FakeClock()
    runtime = make_runtime(clock=clock, wall_ns=lambda: 1_700_000_000_000_000_000)
    clock.advance(12.5)
    assert runtime.started_at == 1_700_000_000_000_000_000
    assert runtime.uptime_s() == pytest.approx(12.5)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("", ""), ("/", ""), ("/w/0", "/w/0"), ("w/1/", "/w/1"), (" /dash ", "/dash")],
)
def test_prefixes_are_normalized(given, expected):
    assert normalize_prefix(given) == expected


@pytest.mark.parametrize("bad", ["/w 0", "/w/../x", "/w?x=1", "/w/%2e"])
def test_prefixes_that_are_not_plain_paths_are_rejected(bad):
    with pytest.raises(ValueError, match="prefix"):
        normalize_prefix(bad)


def test_a_new_worker_accepts_sessions():
    runtime = make_runtime()
    assert (runtime.accepting, runtime.draining, runtime.stopping) == (True, False, False)


def test_draining_stops_accepting_and_undraining_resumes():
    runtime = make_runtime()
    assert runtime.set_draining(True) is True
    assert not runtime.accepting
    assert runtime.set_draining(True) is False
    runtime.set_draining(False)
    assert runtime.accepting


def test_toggle_flips_draining_and_returns_the_new_value():
    runtime = make_runtime()
    assert runtime.toggle_draining() is True
    assert runtime.toggle_draining() is False


def test_stopping_is_final_and_reported_first_time_only():
    runtime = make_runtime()
    assert runtime.begin_stopping() is True
    assert runtime.begin_stopping() is False
    runtime.set_draining(False)
    assert not runtime.accepting


def test_registry_keeps_registration_order():
    registry: SessionRegistry[str] = SessionRegistry()
    for name in ("b", "a", "c"):
        registry.register(name, name.upper())
    assert registry.ids() == ["b", "a", "c"]
    assert registry.sessions() == ["B", "A", "C"]
    assert registry.count() == 3
    assert "a" in registry


def test_registering_an_id_twice_is_an_error():
    registry: SessionRegistry[str] = SessionRegistry()
    registry.register("s", "one")
    with pytest.raises(ValueError, match="'s'"):
        registry.register("s", "two")


def test_unregister_is_idempotent():
    registry: SessionRegistry[str] = SessionRegistry()
    registry.register("s", "one")
    assert registry.unregister("s") is True
    assert registry.unregister("s") is False
    assert registry.count() == 0


def test_registry_counts_correctly_under_concurrent_use():
    registry: SessionRegistry[int] = SessionRegistry()

    def churn(offset: int) -> None:
        for i in range(500):
            registry.register(f"{offset}-{i}", i)
            if i % 2:
                registry.unregister(f"{offset}-{i}")

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert registry.count() == 4 * 250
