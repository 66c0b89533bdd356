"""bokeh_speedups: the same serialized properties and side effects as Bokeh's own method."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import panel as pn  # noqa: F401 - registers Panel's Bokeh models
import pytest
from bokeh.core.has_props import HasProps
from bokeh.core.json_encoder import serialize_json
from bokeh.core.properties import Required, String
from bokeh.core.property.descriptors import UnsetValueError
from bokeh.document import Document
from bokeh.model import Model
from bokeh.models import Button, ColumnDataSource, Plot
from bokeh.plotting import figure

from livedash.ui import bokeh_speedups
from tests.ui.plots.data import LAYERS, MONITOR, PANEL, READINGS, series, wire
from tests.ui.plots.harness import World, cell_with, layer, one_grid, ref


@pytest.fixture
def installed() -> Iterator[None]:
    bokeh_speedups.install()
    yield
    bokeh_speedups.uninstall()


def _plain(value: Any) -> Any:
    """A comparable form of a property value: models by type, containers by content."""
    if isinstance(value, HasProps):
        return ("model", type(value).__name__)
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.tolist())
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _serialized(obj: HasProps, query: Any) -> tuple[Any, list[str]]:
    """What ``query`` answers for ``obj`` (or what it raises), and what it stored."""
    try:
        values = _plain(query(obj, lambda prop: prop.serialized, include_defaults=False))
    except UnsetValueError as exc:  # a required property never set
        values = ("raises", str(exc).split(".", 1)[1])
    return values, sorted(obj._unstable_default_values)


def _builds_quietly(cls: type[Model]) -> bool:
    """Whether ``cls()`` works without arguments and without a (deprecation) warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            cls()
        except Exception:  # noqa: BLE001 - abstract, required arguments, or deprecated
            return False
    return True


def _constructible_models() -> list[type[Model]]:
    classes = sorted(set(Model.model_class_reverse_map.values()), key=lambda c: c.__qualname__)
    return [cls for cls in classes if _builds_quietly(cls)]


MODELS = _constructible_models()


def test_hundreds_of_bokeh_and_panel_models_are_compared() -> None:
    names = {cls.__name__ for cls in MODELS}
    assert len(MODELS) > 300
    assert {"Plot", "Button", "ColumnDataSource", "Column", "Tabs", "HoverTool"} <= names


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_every_model_serializes_the_same_properties_with_the_same_side_effects(cls) -> None:
    ours, theirs = cls(), cls()
    for _ in range(2):  # the second call sees the unstable defaults the first one stored
        expected = _serialized(theirs, bokeh_speedups._ORIGINAL_QUERY)
        assert _serialized(ours, bokeh_speedups._query_properties_with_values) == expected


def test_set_values_themes_and_changed_containers_are_serialized(installed) -> None:
    plot = figure(title="t", width=300, tools="pan,hover")
    plot.xaxis.axis_label = "x [mm]"
    plot.tags.append("changed")  # an unstable default, changed in place
    source = ColumnDataSource({"x": [1, 2], "y": [3.0, 4.0]})
    plot.line("x", "y", source=source)
    doc = Document()
    doc.add_root(plot)
    doc.theme = "dark_minimal"  # themed values count as set
    values = plot.properties_with_values(include_defaults=False)
    assert values["tags"] == ["changed"]
    assert values["background_fill_color"] != Plot.background_fill_color.class_default(Plot)
    assert plot.title.properties_with_values(include_defaults=False)["text"] == "t"
    assert source.properties_with_values(include_defaults=False)["data"] == {
        "x": [1, 2],
        "y": [3.0, 4.0],
    }


def test_include_defaults_is_bokehs_own_answer(installed) -> None:
    assert Button().properties_with_values() == Button().properties_with_values()
    assert "label" in Button().properties_with_values(include_defaults=True)


def test_an_unset_required_property_still_raises(installed) -> None:
    class NeedsName(Model):
        __implementation__ = ""  # never shown; serialized only
        name_required = Required(String)

    with pytest.raises(UnsetValueError):
        NeedsName().properties_with_values(include_defaults=False)
    partial = NeedsName().query_properties_with_values(
        lambda prop: prop.serialized, include_defaults=False, include_undefined=True
    )
    assert "name_required" in partial


def test_install_is_idempotent_and_uninstall_restores_bokeh() -> None:
    original = HasProps.query_properties_with_values
    assert bokeh_speedups.install()
    assert bokeh_speedups.install()
    assert HasProps.query_properties_with_values is not original
    bokeh_speedups.uninstall()
    assert HasProps.query_properties_with_values is original


def test_other_bokeh_versions_are_left_alone() -> None:
    assert bokeh_speedups.supported("3.9.2")
    assert not bokeh_speedups.supported("4.0.0")


def _page_json(gridset) -> str:
    """A Plots tab with live figures of every kind, serialized as the first PULL-DOC."""
    world = World()
    for workflow, source in (
        (PANEL, "panel_0"),
        (LAYERS, "panel_0"),
        (MONITOR, "monitor1"),
        (READINGS, "motion1"),
    ):
        world.start(workflow, source)
    world.write(gridset)
    world.settle()
    world.put(ref(PANEL, "panel_0"), wire(PANEL, "panel_0", "cumulative"))
    world.put(ref(LAYERS, "panel_0"), wire(LAYERS, "panel_0", "cumulative"))
    world.put(ref(MONITOR, "monitor1"), wire(MONITOR, "monitor1", "cumulative"))
    world.put(ref(READINGS, "motion1", "delta"), series(steps=3))
    world.refresh()
    doc = Document()
    doc.add_root(world.view.panel.get_root(doc))
    first = serialize_json(doc.to_json(), pretty=True)
    world.refresh()  # a second serialization sees what the first one stored
    return first + serialize_json(doc.to_json(), pretty=True)


def _renumbered(text: str) -> str:
    """Bokeh's model ids (``p1234``) and Panel's object names (``Column00128``), both
    counted per process, renamed by order of first appearance."""
    ids: dict[str, str] = {}
    return re.sub(
        r'"(p\d+|[A-Za-z]+\d{5})"', lambda m: ids.setdefault(m.group(0), f'"id{len(ids)}"'), text
    )


def test_a_dashboard_page_with_live_figures_serializes_identically() -> None:
    gridset = one_grid(
        cell_with(layer(ref(PANEL, "panel_0"))),
        cell_with(layer(ref(LAYERS, "panel_0")), col=1),
        cell_with(layer(ref(MONITOR, "monitor1")), row=1),
        cell_with(layer(ref(READINGS, "motion1", "delta")), row=1, col=1),
    )
    theirs = _page_json(gridset)
    bokeh_speedups.install()
    try:
        ours = _page_json(gridset)
    finally:
        bokeh_speedups.uninstall()
    assert ours.count('"name": "Figure"') == 8  # four figures, serialized twice
    assert _renumbered(ours) == _renumbered(theirs)
