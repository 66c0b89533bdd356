from __future__ import annotations

import uuid

from livedash.instruments import load_instrument
from livedash.kafka.memory import InMemoryBroker
from livedash.plots.editing import add_grid, remove_grid
from livedash.plots.model import GridSet
from livedash.plots.templates import grids_from_templates
from livedash.store import (
    GRIDS_DOC,
    ConfigStore,
    GridIndex,
    LayoutSnapshot,
    grid_doc,
    read_layout,
    seed_layout_if_missing,
    write_layout,
)

from .fakes import TOPIC, Reader, make_broker, make_reader, simple_grid

DUMMY = load_instrument("dummy")


def layout(store: ConfigStore) -> LayoutSnapshot:
    snapshot = read_layout(store)
    assert snapshot is not None
    return snapshot


def synced_reader(broker: InMemoryBroker | None = None) -> Reader:
    reader = make_reader(broker or make_broker())
    reader.store.request_sync()
    reader.feed()
    assert reader.store.synced
    return reader


def test_fresh_store_is_seeded_with_the_instrument_grid_template() -> None:
    reader = synced_reader()
    assert seed_layout_if_missing(reader.store, DUMMY)
    reader.feed()
    snapshot = layout(reader.store)
    (grid,) = snapshot.gridset.grids
    assert grid.title == "Detectors"
    assert (grid.nrows, grid.ncols) == (2, 2)
    refs = [layer.roles["primary"] for _g, _c, layer in snapshot.gridset.layers()]
    assert [(str(r.workflow_id), r.source_name, r.output_name) for r in refs] == [
        ("dummy/area_panel_xy/1", "area_panel", "cumulative"),
        ("dummy/panel_0_xy/1", "panel_0", "cumulative"),
    ]
    assert all(layer.params.scale == "log" for _g, _c, layer in snapshot.gridset.layers())


def test_no_seeding_before_the_store_has_caught_up() -> None:
    reader = make_reader(make_broker())
    assert not seed_layout_if_missing(reader.store, DUMMY)
    assert reader.feed() == 0


def test_no_seeding_when_a_layout_exists() -> None:
    broker = make_broker()
    writer = make_reader(broker)
    write_layout(writer.store, GridSet(grids=(simple_grid("Mine"),)), base=None)
    reader = synced_reader(broker)
    assert not seed_layout_if_missing(reader.store, DUMMY)
    assert layout(reader.store).gridset.grids[0].title == "Mine"


def test_seeding_is_not_repeated_while_in_flight() -> None:
    broker = make_broker()
    reader = synced_reader(broker)
    assert seed_layout_if_missing(reader.store, DUMMY)
    assert not seed_layout_if_missing(reader.store, DUMMY)
    assert len(broker.messages(TOPIC)) == 1 + 2


def test_sessions_seeding_at_once_write_the_same_layout() -> None:
    broker = make_broker()
    first, second = synced_reader(broker), synced_reader(broker)
    assert seed_layout_if_missing(first.store, DUMMY)
    assert seed_layout_if_missing(second.store, DUMMY)
    first.feed()
    second.feed()
    assert layout(first.store).gridset == layout(second.store).gridset
    assert first.store.conflicts() == {}


def test_template_conversion_is_deterministic() -> None:
    assert grids_from_templates(DUMMY) == grids_from_templates(DUMMY)


def test_layout_round_trips_through_the_store() -> None:
    reader = make_reader(make_broker())
    gridset = GridSet(grids=(simple_grid("A"), simple_grid("B")))
    write_layout(reader.store, gridset, base=None)
    reader.feed()
    snapshot = layout(reader.store)
    assert snapshot.gridset == gridset


def test_only_changed_grids_are_written_and_the_index_only_when_the_order_changes() -> None:
    reader = make_reader(make_broker())
    a, b = simple_grid("A"), simple_grid("B")
    write_layout(reader.store, GridSet(grids=(a, b)), base=None)
    reader.feed()
    snapshot = layout(reader.store)
    renamed = a.model_copy(update={"title": "A2"})
    written = write_layout(reader.store, GridSet(grids=(renamed, b)), base=snapshot)
    assert written == [grid_doc(a.grid_id)]
    reader.feed()
    snapshot = layout(reader.store)
    written = write_layout(reader.store, GridSet(grids=(b, renamed)), base=snapshot)
    assert written == [GRIDS_DOC]


def test_removed_grid_is_deleted_after_the_index_drops_it() -> None:
    broker = make_broker()
    reader = make_reader(broker)
    a, b = simple_grid("A"), simple_grid("B")
    write_layout(reader.store, GridSet(grids=(a, b)), base=None)
    reader.feed()
    snapshot = layout(reader.store)
    written = write_layout(reader.store, remove_grid(snapshot.gridset, a.grid_id), base=snapshot)
    assert written == [GRIDS_DOC, grid_doc(a.grid_id)]
    reader.feed()
    assert reader.store.get(grid_doc(a.grid_id)) is None
    assert layout(reader.store).gridset.grids == (b,)


def test_edits_of_different_grids_by_two_sessions_both_survive() -> None:
    broker = make_broker()
    first, second = make_reader(broker), make_reader(broker)
    a, b = simple_grid("A"), simple_grid("B")
    write_layout(first.store, GridSet(grids=(a, b)), base=None)
    first.feed()
    second.feed()
    base_first, base_second = layout(first.store), layout(second.store)
    write_layout(
        first.store, GridSet(grids=(a.model_copy(update={"title": "A1"}), b)), base=base_first
    )
    write_layout(
        second.store, GridSet(grids=(a, b.model_copy(update={"title": "B2"}))), base=base_second
    )
    first.feed()
    titles = [g.title for g in layout(first.store).gridset.grids]
    assert titles == ["A1", "B2"]
    assert first.store.conflicts() == {}


def test_concurrent_edit_of_one_grid_tells_the_loser() -> None:
    broker = make_broker()
    first, second = make_reader(broker, "first"), make_reader(broker, "second")
    a = simple_grid("A")
    write_layout(first.store, GridSet(grids=(a,)), base=None)
    first.feed()
    second.feed()
    base_first, base_second = layout(first.store), layout(second.store)
    write_layout(
        first.store, GridSet(grids=(a.model_copy(update={"title": "1"}),)), base=base_first
    )
    first.feed()
    write_layout(
        second.store, GridSet(grids=(a.model_copy(update={"title": "2"}),)), base=base_second
    )
    first.feed()
    assert first.store.conflicts()[grid_doc(a.grid_id)].by_writer == "second"


def test_index_naming_a_missing_grid_leaves_it_out() -> None:
    reader = make_reader(make_broker())
    a = simple_grid("A")
    write_layout(reader.store, GridSet(grids=(a,)), base=None)
    reader.feed()
    snapshot = layout(reader.store)
    reader.store.put(
        GRIDS_DOC,
        GridIndex(grid_ids=(uuid.uuid4(), a.grid_id)),
        base_version=snapshot.versions[GRIDS_DOC],
    )
    reader.feed()
    assert layout(reader.store).gridset.grids == (a,)


def test_grids_sharing_a_layer_id_keep_only_the_first() -> None:
    reader = make_reader(make_broker())
    a = simple_grid("A")
    clone = a.model_copy(update={"grid_id": uuid.uuid4(), "title": "clone"})
    reader.store.put(grid_doc(a.grid_id), a, base_version=None)
    reader.store.put(grid_doc(clone.grid_id), clone, base_version=None)
    reader.store.put(GRIDS_DOC, GridIndex(grid_ids=(a.grid_id, clone.grid_id)), base_version=None)
    reader.feed()
    assert layout(reader.store).gridset.grids == (a,)


def test_empty_store_has_no_layout() -> None:
    assert read_layout(make_reader(make_broker()).store) is None


def test_add_grid_then_write_publishes_grid_before_index() -> None:
    broker = make_broker()
    reader = make_reader(broker)
    write_layout(reader.store, GridSet(), base=None)
    reader.feed()
    snapshot = layout(reader.store)
    new = simple_grid("New")
    write_layout(reader.store, add_grid(snapshot.gridset, new), base=snapshot)
    keys = [m.key for m in broker.messages(TOPIC)][-2:]
    assert keys == [grid_doc(new.grid_id).encode(), GRIDS_DOC.encode()]
