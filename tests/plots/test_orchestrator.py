from __future__ import annotations

import itertools
import uuid

import numpy as np
import pytest
import scipp as sc
from structlog.testing import capture_logs

from livedash.plots.editing import remove_layer
from livedash.plots.layer_state import LayerState
from livedash.plots.model import (
    GridSet,
    LayerConfig,
    Overlay,
    PlotterKind,
    PlotterParams,
)
from livedash.plots.orchestrator import PlotOrchestrator
from livedash.plots.state import CorrelationState, ImageState, ScalarState
from livedash.plots.subscription import data_key
from livedash.plots.views import LayerView
from livedash.protocol.ids import WorkflowId
from livedash.protocol.status import JobState

from .factories import MONITOR, PANEL, gridset, layer, ref
from .fakes import FakeData, FakeJobs
from .wire import wire_updates

S = LayerState
IMAGE_REF = ref(PANEL, "panel_0", "cumulative")
IMAGE_KEY = data_key(IMAGE_REF)
UPDATES = wire_updates("panel_0_xy", "panel_0", updates=3)


def image(step: int = 0) -> sc.DataArray:
    return UPDATES[step]["cumulative"]


def make(*workflows: WorkflowId) -> tuple[PlotOrchestrator, FakeJobs, FakeData]:
    jobs, data = FakeJobs(*(workflows or (PANEL, MONITOR))), FakeData()
    return PlotOrchestrator(jobs=jobs, data=data), jobs, data


def view_of(orchestrator: PlotOrchestrator, config: LayerConfig) -> LayerView:
    view = orchestrator.view(config.layer_id)
    assert view is not None
    return view


def running_number(jobs: FakeJobs, workflow_id: WorkflowId = PANEL) -> uuid.UUID:
    number = jobs.states[workflow_id].job_number
    assert number is not None
    return number


def streaming(orchestrator: PlotOrchestrator, jobs: FakeJobs, data: FakeData) -> LayerConfig:
    """A READY image layer whose workflow runs."""
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    number = jobs.start(PANEL, "panel_0")
    data.put(IMAGE_KEY, image(), number)
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.READY
    return config


def test_layer_of_a_stopped_workflow_waits_for_its_job() -> None:
    orchestrator, _jobs, _data = make()
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    view = view_of(orchestrator, config)
    assert (view.state, view.plot, view.error) == (S.WAITING_FOR_JOB, None, None)


def test_running_job_without_data_waits_for_data() -> None:
    orchestrator, jobs, _data = make()
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    jobs.start(PANEL, "panel_0")
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.WAITING_FOR_DATA


def test_committed_generation_without_heartbeats_waits_for_data() -> None:
    orchestrator, jobs, _data = make()
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    jobs.pending(PANEL)
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.WAITING_FOR_DATA


def test_data_of_the_running_generation_makes_the_layer_ready_with_a_plot() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    plot = view_of(orchestrator, config).plot
    assert isinstance(plot, ImageState)
    assert plot.values.shape == (128, 128)


def test_new_data_gives_a_new_plot_and_version_and_no_data_gives_none() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    first = view_of(orchestrator, config)
    orchestrator.tick()
    assert view_of(orchestrator, config) is first
    data.put(IMAGE_KEY, image(1), running_number(jobs))
    orchestrator.tick()
    second = view_of(orchestrator, config)
    assert second.version > first.version
    assert isinstance(first.plot, ImageState)
    assert isinstance(second.plot, ImageState)
    assert not np.array_equal(second.plot.values, first.plot.values)
    assert orchestrator.stats()["computes"] == 2


def test_stop_keeps_the_last_plot() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    plot = view_of(orchestrator, config).plot
    jobs.stop(PANEL)
    orchestrator.tick()
    view = view_of(orchestrator, config)
    assert view.state is S.STOPPED
    assert view.plot is plot


def test_restart_follows_the_new_generation_and_ignores_the_old_ones_data() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    jobs.stop(PANEL)
    orchestrator.tick()
    new_number = jobs.start(PANEL, "panel_0")
    orchestrator.tick()
    view = view_of(orchestrator, config)
    assert (view.state, view.plot) == (S.WAITING_FOR_DATA, None)
    data.put(IMAGE_KEY, image(2), new_number)
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.READY


def test_restart_while_running_drops_the_plot_until_new_data() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    jobs.start(PANEL, "panel_0")
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.WAITING_FOR_DATA


def test_resumed_generation_goes_from_stopped_back_to_ready() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    running = jobs.states[PANEL]
    jobs.stop(PANEL)
    orchestrator.tick()
    jobs.states[PANEL] = running
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.READY
    assert orchestrator.stats()["computes"] == 1


def test_job_error_shows_the_backends_text_and_recovers() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    jobs.set_job(PANEL, "panel_0", JobState.ERROR, "Job failed to compute result.")
    orchestrator.tick()
    view = view_of(orchestrator, config)
    assert (view.state, view.error) == (S.ERROR, "Job failed to compute result.")
    assert view.plot is not None
    jobs.set_job(PANEL, "panel_0", JobState.ACTIVE)
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.READY


def test_error_of_another_source_does_not_touch_the_layer() -> None:
    orchestrator, jobs, data = make()
    histogram = ref(MONITOR, "monitor1", "cumulative")
    config = layer(histogram)
    orchestrator.sync(gridset(config))
    number = jobs.start(MONITOR, "monitor1", "monitor2")
    data.put(
        data_key(histogram), wire_updates("monitor_histogram", "monitor1")[0]["cumulative"], number
    )
    jobs.set_job(MONITOR, "monitor2", JobState.ERROR, "broken")
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.READY


def test_workflow_running_only_for_other_sources_leaves_the_layer_waiting() -> None:
    orchestrator, jobs, _data = make()
    config = layer(ref(MONITOR, "monitor2", "cumulative"))
    orchestrator.sync(gridset(config))
    jobs.start(MONITOR, "monitor1")
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.WAITING_FOR_JOB


def test_reset_clearing_the_data_drops_the_plot_until_new_data() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    data.clear(IMAGE_KEY)
    orchestrator.tick()
    view = view_of(orchestrator, config)
    assert (view.state, view.plot) == (S.WAITING_FOR_DATA, None)


def test_interest_is_exactly_the_keys_of_all_layers() -> None:
    orchestrator, _jobs, data = make()
    histogram = ref(MONITOR, "monitor1", "current")
    first, second = layer(IMAGE_REF), layer(histogram)
    orchestrator.sync(gridset(first, second))
    assert data.interested == {IMAGE_KEY, data_key(histogram)}
    orchestrator.sync(remove_layer(gridset(first, second), second.layer_id))
    assert data.interested == {IMAGE_KEY}


def test_unchanged_interest_is_not_set_again() -> None:
    orchestrator, _jobs, data = make()
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    orchestrator.sync(gridset(config))
    assert len(data.interest_calls) == 1


def test_removed_layer_drops_its_subscription_and_is_reported_removed() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    seen = {config.layer_id: view_of(orchestrator, config).version}
    orchestrator.sync(GridSet())
    changes = orchestrator.changed_since(seen)
    assert changes.removed == {config.layer_id}
    assert changes.changed == {}
    assert orchestrator.stats()["subscriptions"] == 0
    assert data.interested == frozenset()


def test_changed_since_reports_only_what_changed() -> None:
    orchestrator, jobs, data = make()
    streaming_layer = streaming(orchestrator, jobs, data)
    idle = layer(ref(MONITOR, "monitor1", "current"))
    orchestrator.sync(gridset(streaming_layer, idle))
    seen = {lid: v.version for lid, v in orchestrator.changed_since({}).changed.items()}
    assert set(seen) == {streaming_layer.layer_id, idle.layer_id}
    data.put(IMAGE_KEY, image(1), running_number(jobs))
    orchestrator.tick()
    assert set(orchestrator.changed_since(seen).changed) == {streaming_layer.layer_id}


def test_layer_added_while_data_streams_gets_its_first_plot_once() -> None:
    orchestrator, jobs, data = make()
    number = jobs.start(PANEL, "panel_0")
    data.put(IMAGE_KEY, image(), number)
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    first = view_of(orchestrator, config)
    assert first.state is S.READY
    orchestrator.tick()
    orchestrator.on_data([IMAGE_KEY])
    assert view_of(orchestrator, config) is first
    assert orchestrator.stats()["computes"] == 1


def test_many_restarts_keep_internal_maps_bounded() -> None:
    orchestrator, jobs, data = make()
    configs = [layer(IMAGE_REF), layer(ref(PANEL, "panel_0", "current"))]
    orchestrator.sync(gridset(*configs))
    for step in range(100):
        number = jobs.start(PANEL, "panel_0")
        data.put(IMAGE_KEY, image(step % 3), number)
        orchestrator.tick()
        jobs.stop(PANEL)
        orchestrator.tick()
    stats = orchestrator.stats()
    assert (stats["layers"], stats["subscriptions"], stats["views"], stats["interest"]) == (
        2,
        2,
        2,
        2,
    )
    assert stats["subscriptions_made"] == 200
    assert view_of(orchestrator, configs[0]).state is S.STOPPED
    assert view_of(orchestrator, configs[1]).state is S.WAITING_FOR_JOB


def test_many_layer_replacements_keep_internal_maps_bounded() -> None:
    orchestrator, _jobs, _data = make()
    for _ in range(100):
        orchestrator.sync(gridset(layer(IMAGE_REF)))
    stats = orchestrator.stats()
    assert (stats["layers"], stats["views"]) == (1, 1)


def test_correlation_is_ready_only_when_both_workflows_run_and_deliver() -> None:
    orchestrator, jobs, data = make()
    total = ref(PANEL, "panel_0", "counts_total")
    monitor = ref(MONITOR, "monitor1", "counts_total")
    config = layer(total, plotter=PlotterKind.CORRELATION, x_axis=monitor)
    orchestrator.sync(gridset(config))
    panel_number = jobs.start(PANEL, "panel_0")
    data.put(data_key(total), UPDATES[0]["counts_total"], panel_number)
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.WAITING_FOR_JOB
    monitor_number = jobs.start(MONITOR, "monitor1")
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.WAITING_FOR_DATA
    monitor_total = wire_updates("monitor_histogram", "monitor1")[0]["counts_total"]
    data.put(data_key(monitor), monitor_total, monitor_number)
    orchestrator.tick()
    view = view_of(orchestrator, config)
    assert view.state is S.READY
    assert isinstance(view.plot, CorrelationState)


def test_data_no_plotter_can_draw_puts_the_layer_in_error_until_it_can() -> None:
    orchestrator, jobs, data = make()
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    number = jobs.start(PANEL, "panel_0")
    data.put(
        IMAGE_KEY, sc.DataArray(sc.ones(dims=["a", "b", "c", "d"], shape=[1, 1, 1, 1])), number
    )
    orchestrator.tick()
    view = view_of(orchestrator, config)
    assert view.state is S.ERROR
    assert "4-D" in (view.error or "")
    orchestrator.tick()
    assert orchestrator.stats()["compute_errors"] == 1
    data.put(IMAGE_KEY, image(), number)
    orchestrator.tick()
    assert view_of(orchestrator, config).state is S.READY


def test_layer_of_an_unknown_workflow_is_in_error() -> None:
    orchestrator, _jobs, _data = make()
    config = layer(ref(WorkflowId(instrument="dummy", name="gone", version=1)))
    orchestrator.sync(gridset(config))
    view = view_of(orchestrator, config)
    assert view.state is S.ERROR
    assert "gone" in (view.error or "")


def test_layer_title_and_overlays_are_put_on_the_plot() -> None:
    orchestrator, jobs, data = make()
    overlay = Overlay(kind="rect", coordinates=(0, 0, 10, 10), label="ROI")
    config = LayerConfig(roles={"primary": IMAGE_REF}, title="My panel", overlays=(overlay,))
    orchestrator.sync(gridset(config))
    data.put(IMAGE_KEY, image(), jobs.start(PANEL, "panel_0"))
    orchestrator.tick()
    plot = view_of(orchestrator, config).plot
    assert plot is not None
    assert (plot.title, plot.overlays) == ("My panel", (overlay,))


def test_scalar_trend_restarts_with_a_new_generation() -> None:
    orchestrator, jobs, data = make()
    total = ref(PANEL, "panel_0", "counts_total")
    config = LayerConfig(roles={"primary": total}, params=PlotterParams())
    orchestrator.sync(gridset(config))
    number = jobs.start(PANEL, "panel_0")
    for update in UPDATES:
        data.put(data_key(total), update["counts_total"], number)
        orchestrator.tick()
    plot = view_of(orchestrator, config).plot
    assert isinstance(plot, ScalarState)
    assert len(plot.history_values) == 3
    data.put(data_key(total), UPDATES[0]["counts_total"], jobs.start(PANEL, "panel_0"))
    orchestrator.tick()
    plot = view_of(orchestrator, config).plot
    assert isinstance(plot, ScalarState)
    assert len(plot.history_values) == 1


def test_on_data_evaluates_only_layers_reading_those_keys() -> None:
    orchestrator, jobs, data = make()
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    number = jobs.start(PANEL, "panel_0")
    data.put(IMAGE_KEY, image(), number)
    orchestrator.on_data([data_key(ref(MONITOR, "monitor1", "current"))])
    assert view_of(orchestrator, config).state is S.WAITING_FOR_JOB
    orchestrator.on_data([IMAGE_KEY])
    assert view_of(orchestrator, config).state is S.READY


def test_slow_computations_are_counted() -> None:
    ticks = itertools.count()
    jobs, data = FakeJobs(PANEL), FakeData()
    orchestrator = PlotOrchestrator(jobs=jobs, data=data, clock=lambda: next(ticks) * 0.5)
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    data.put(IMAGE_KEY, image(), jobs.start(PANEL, "panel_0"))
    orchestrator.tick()
    assert orchestrator.stats()["slow_computes"] == 1


def test_same_layer_id_with_another_configuration_is_replaced() -> None:
    orchestrator, jobs, data = make()
    config = streaming(orchestrator, jobs, data)
    changed = config.model_copy(update={"params": PlotterParams(scale="log")})
    orchestrator.sync(gridset(changed))
    view = view_of(orchestrator, changed)
    assert view.config.params.scale == "log"
    assert isinstance(view.plot, ImageState)
    assert view.plot.log


def test_uuid_of_views_match_their_layers() -> None:
    orchestrator, _jobs, _data = make()
    config = layer(IMAGE_REF, layer_id=uuid.uuid4())
    orchestrator.sync(gridset(config))
    assert view_of(orchestrator, config).layer_id == config.layer_id


def test_local_slice_index_recomputes_without_changing_the_layer() -> None:
    orchestrator, jobs, data = make()
    stack = ref(WorkflowId(instrument="dummy", name="panel_0_layers", version=1), "panel_0")
    config = layer(stack)
    orchestrator.sync(gridset(config))
    number = jobs.start(stack.workflow_id, "panel_0")
    layers = wire_updates("panel_0_layers", "panel_0", updates=1)[0]["cumulative"]
    data.put(data_key(stack), layers, number)
    orchestrator.tick()
    assert orchestrator.set_local_params(config.layer_id, slice_index=3)
    view = view_of(orchestrator, config)
    assert isinstance(view.plot, ImageState)
    assert view.plot.slice is not None
    assert view.plot.slice.index == 3
    assert view.config == config
    assert orchestrator.stats()["computes"] == 2


def test_local_params_are_validated_and_need_a_known_layer() -> None:
    orchestrator, _jobs, _data = make()
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))
    assert not orchestrator.set_local_params(uuid.uuid4(), slice_index=1)
    with pytest.raises(ValueError, match="slice_index"):
        orchestrator.set_local_params(config.layer_id, slice_index=-1)


def test_the_listener_hears_of_each_published_change_and_of_nothing_else() -> None:
    orchestrator, jobs, data = make()
    heard: list[int] = []
    orchestrator.set_listener(lambda: heard.append(orchestrator.version))
    config = layer(IMAGE_REF)
    orchestrator.sync(gridset(config))  # a new layer: WAITING_FOR_JOB is published
    assert len(heard) == 1
    orchestrator.tick()  # nothing changed
    assert len(heard) == 1
    number = jobs.start(PANEL, "panel_0")
    data.put(IMAGE_KEY, image(), number)
    orchestrator.tick()
    assert len(heard) == 2
    assert view_of(orchestrator, config).state is S.READY
    assert heard[-1] == orchestrator.version  # called after the view was published
    orchestrator.set_listener(None)
    data.put(IMAGE_KEY, image(1), number)
    orchestrator.on_data([IMAGE_KEY])
    assert len(heard) == 2


def test_a_failing_listener_is_logged_and_the_update_stands() -> None:
    orchestrator, jobs, data = make()

    def broken() -> None:
        raise RuntimeError("reader bug")

    orchestrator.set_listener(broken)
    with capture_logs() as logs:
        config = streaming(orchestrator, jobs, data)  # ticks with the broken listener
    assert view_of(orchestrator, config).state is S.READY
    assert "plot_listener_failed" in [log["event"] for log in logs]
