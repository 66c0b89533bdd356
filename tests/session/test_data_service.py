from __future__ import annotations

import sys
import uuid

import pytest

from livedash.protocol.da00 import Da00Message
from livedash.protocol.ids import JobId, WorkflowId
from livedash.session.data_service import DataKey, DataService

from .fakes import MONITOR, PANEL, TIMESERIES, image, result_key, series


class Generations:
    """The job service's answer, set by the test."""

    def __init__(self) -> None:
        self.current: dict[WorkflowId, uuid.UUID | None] = {}

    def is_current(self, workflow_id: WorkflowId, job_number: uuid.UUID) -> bool:
        return self.current.get(workflow_id) == job_number

    def generations(self) -> dict[WorkflowId, uuid.UUID | None]:
        return dict(self.current)


def message(data) -> Da00Message:
    return Da00Message(source_name="x", timestamp_ns=0, data=data)


@pytest.fixture
def generations() -> Generations:
    return Generations()


@pytest.fixture
def data(generations: Generations) -> DataService:
    return DataService(generations=generations, series_outputs={(TIMESERIES, "delta")})


def test_result_of_current_generation_is_stored(data: DataService, generations) -> None:
    number = generations.current[PANEL] = uuid.uuid4()
    assert data.add(result_key(PANEL, "panel_0", number), message(image(2.0)))
    entry = data.get(DataKey(PANEL, "panel_0", "cumulative"))
    assert entry is not None
    assert entry.job_number == number
    assert entry.data.values[0, 0] == 2.0


def test_result_of_other_generation_is_dropped_as_stale(data: DataService, generations) -> None:
    generations.current[PANEL] = uuid.uuid4()
    assert not data.add(result_key(PANEL, "panel_0", uuid.uuid4()), message(image()))
    assert data.keys() == []
    assert data.stats()["stale_dropped"] == 1


def test_wants_only_current_generation_of_interest(data: DataService, generations) -> None:
    number = generations.current[PANEL] = uuid.uuid4()
    key = result_key(PANEL, "panel_0", number)
    assert not data.wants(key)
    data.interest([DataKey.from_result_key(key)])
    assert data.wants(key)
    assert not data.wants(result_key(PANEL, "panel_0", number, "current"))
    assert not data.wants(result_key(PANEL, "panel_0", uuid.uuid4()))
    data.interest(None)
    assert data.wants(result_key(PANEL, "panel_0", number, "current"))


def test_generation_change_clears_the_workflow(data: DataService, generations) -> None:
    old = generations.current[PANEL] = uuid.uuid4()
    data.add(result_key(PANEL, "panel_0", old, "cumulative"), message(image()))
    data.add(result_key(PANEL, "panel_0", old, "current"), message(image()))
    key = DataKey(PANEL, "panel_0", "current")
    version = data.version_of(key)
    generations.current[PANEL] = uuid.uuid4()
    data.sync_generations()
    assert data.keys() == []
    assert data.version_of(key) != version


def test_stopped_workflow_keeps_its_last_results(data: DataService, generations) -> None:
    number = generations.current[PANEL] = uuid.uuid4()
    data.add(result_key(PANEL, "panel_0", number), message(image()))
    generations.current[PANEL] = None
    data.sync_generations()
    assert len(data.keys()) == 1


def test_first_result_of_new_generation_replaces_the_old(data: DataService, generations) -> None:
    old = generations.current[PANEL] = uuid.uuid4()
    data.add(result_key(PANEL, "panel_0", old, "current"), message(image()))
    new = generations.current[PANEL] = uuid.uuid4()
    data.add(result_key(PANEL, "panel_0", new, "cumulative"), message(image()))
    assert data.keys() == [DataKey(PANEL, "panel_0", "cumulative")]


def test_series_output_accumulates_up_to_the_bound(generations) -> None:
    data = DataService(
        generations=generations, series_outputs={(TIMESERIES, "delta")}, max_series_points=10
    )
    number = generations.current[TIMESERIES] = uuid.uuid4()
    key = result_key(TIMESERIES, "motion1", number, "delta")
    data.add(key, message(series(0, 4)))
    data.add(key, message(series(4, 4)))
    entry = data.get(DataKey.from_result_key(key))
    assert entry is not None
    assert entry.data.sizes["time"] == 8
    data.add(key, message(series(8, 4)))
    entry = data.get(DataKey.from_result_key(key))
    assert entry is not None
    assert entry.data.sizes["time"] == 10


def test_non_series_output_is_replaced(data: DataService, generations) -> None:
    number = generations.current[PANEL] = uuid.uuid4()
    key = result_key(PANEL, "panel_0", number)
    data.add(key, message(image(1.0)))
    data.add(key, message(image(5.0)))
    entry = data.get(DataKey.from_result_key(key))
    assert entry is not None
    assert entry.data.values[0, 0] == 5.0


def test_entry_count_is_bounded_by_evicting_the_least_recent(generations) -> None:
    data = DataService(generations=generations, max_entries=2)
    number = generations.current[PANEL] = uuid.uuid4()
    for output in ("a", "b", "c"):
        data.add(result_key(PANEL, "panel_0", number, output), message(image()))
    names = [key.output_name for key in data.keys()]  # noqa: SIM118 - not a mapping
    assert names == ["b", "c"]
    assert data.stats()["evicted"] == 1


def test_byte_size_is_bounded(generations) -> None:
    one = sys.getsizeof(image(size=64))
    data = DataService(generations=generations, max_bytes=2 * one + one // 2)
    number = generations.current[PANEL] = uuid.uuid4()
    for output in ("a", "b", "c"):
        data.add(result_key(PANEL, "panel_0", number, output), message(image(size=64)))
    assert len(data.keys()) == 2
    assert data.stats()["bytes"] <= 2 * one + one // 2


def test_result_larger_than_the_budget_is_dropped(generations) -> None:
    data = DataService(generations=generations, max_bytes=1000)
    number = generations.current[PANEL] = uuid.uuid4()
    assert not data.add(result_key(PANEL, "panel_0", number), message(image(size=64)))
    assert data.stats()["oversized_dropped"] == 1


def test_every_store_bumps_the_key_version(data: DataService, generations) -> None:
    number = generations.current[PANEL] = uuid.uuid4()
    key = result_key(PANEL, "panel_0", number)
    data.add(key, message(image()))
    first = data.version_of(DataKey.from_result_key(key))
    data.add(key, message(image()))
    assert data.version_of(DataKey.from_result_key(key)) > first


def test_reset_of_a_job_clears_only_that_jobs_results(data: DataService, generations) -> None:
    number = generations.current[MONITOR] = uuid.uuid4()
    for source in ("monitor1", "monitor2"):
        data.add(result_key(MONITOR, source, number), message(image()))
    key = DataKey(MONITOR, "monitor1", "cumulative")
    version = data.version_of(key)
    cleared = data.clear_results(job_id=JobId(source_name="monitor1", job_number=number))
    assert cleared == 1
    assert data.keys() == [DataKey(MONITOR, "monitor2", "cumulative")]
    assert data.version_of(key) > version
    assert data.stats()["cleared_by_reset"] == 1


def test_reset_of_another_generation_clears_nothing(data: DataService, generations) -> None:
    number = generations.current[PANEL] = uuid.uuid4()
    data.add(result_key(PANEL, "panel_0", number), message(image()))
    other = JobId(source_name="panel_0", job_number=uuid.uuid4())
    assert data.clear_results(job_id=other) == 0
    assert len(data.keys()) == 1


def test_reset_of_a_workflow_clears_its_results_and_keeps_storing(
    data: DataService, generations
) -> None:
    panel = generations.current[PANEL] = uuid.uuid4()
    monitor = generations.current[MONITOR] = uuid.uuid4()
    data.add(result_key(PANEL, "panel_0", panel), message(image()))
    data.add(result_key(MONITOR, "monitor1", monitor), message(image()))
    assert data.clear_results(workflow_id=PANEL) == 1
    assert data.keys() == [DataKey(MONITOR, "monitor1", "cumulative")]
    assert data.add(result_key(PANEL, "panel_0", panel), message(image()))


def test_reset_of_everything_clears_everything(data: DataService, generations) -> None:
    panel = generations.current[PANEL] = uuid.uuid4()
    monitor = generations.current[MONITOR] = uuid.uuid4()
    data.add(result_key(PANEL, "panel_0", panel), message(image()))
    data.add(result_key(MONITOR, "monitor1", monitor), message(image()))
    assert data.clear_results() == 2
    assert data.keys() == []
