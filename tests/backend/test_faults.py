import numpy as np
import pytest

from livedash.backend.faults import (
    Fault,
    FaultPlan,
    GarbageInjector,
    failure_text,
    warning_text,
)


def test_fail_wins_over_warn():
    plan = FaultPlan(fail_workflows=frozenset({"a"}), warn_workflows=frozenset({"a", "b"}))
    assert plan.fault_for("a") is Fault.FAIL
    assert plan.fault_for("b") is Fault.WARN
    assert plan.fault_for("c") is None


def test_unknown_names_are_reported():
    plan = FaultPlan(fail_workflows=frozenset({"nope"}))
    assert plan.unknown_names(["panel_0_xy"]) == ["nope"]


def test_failure_text_has_the_backend_format_with_a_traceback():
    text = failure_text("panel_0_xy")
    assert text.startswith("Job failed to compute result.\n\nTraceback (most recent call last):")
    assert "InjectedFailureError" in text
    assert "panel_0_xy" in text


def test_warning_text_has_the_backend_format_with_a_traceback():
    text = warning_text("monitor_histogram")
    assert text.startswith("Job failed to process latest data.\n\nTraceback")


def test_zero_fraction_never_touches_a_message():
    injector = GarbageInjector(fraction=0.0, rng=np.random.default_rng(0))
    assert all(injector.apply("data", b"x" * 20) == [b"x" * 20] for _ in range(100))
    assert injector.injected == {}


def test_full_fraction_garbles_every_message():
    injector = GarbageInjector(fraction=1.0, rng=np.random.default_rng(0))
    value = b"\x10\x00\x00\x00da00" + b'{"workflow_id":1}' * 4
    for _ in range(200):
        out = injector.apply("data", value)
        assert out[0] != value
        assert out in ([out[0]], [out[0], value])
    assert sum(injector.injected.values()) == 200
    assert {"truncated", "random", "foreign_schema", "payload"} <= set(injector.injected)


def test_foreign_schema_keeps_the_rest_of_the_message():
    injector = GarbageInjector(fraction=1.0, rng=np.random.default_rng(5))
    value = b"\x10\x00\x00\x00x5f2" + b"z" * 40
    for _ in range(50):
        garbage = injector.apply("status", value)[0]
        if garbage[8:] == value[8:] and len(garbage) == len(value):
            assert garbage[4:8] != b"x5f2"


def test_fraction_out_of_range_is_rejected():
    with pytest.raises(ValueError, match="garbage fraction"):
        GarbageInjector(fraction=1.5, rng=np.random.default_rng(0))
