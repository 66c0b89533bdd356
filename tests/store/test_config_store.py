from __future__ import annotations

import json
import uuid

import pytest
from structlog.testing import capture_logs

from livedash.kafka.message import Message
from livedash.plots.model import Grid
from livedash.store import ConfigStore, Document, GridIndex, WorkflowParams, workflow_params_doc
from livedash.store.envelope import encode_record

from .fakes import MONITOR, PANEL, TOPIC, make_broker, make_reader, params_doc, simple_grid

DOC = workflow_params_doc(PANEL)


def current(store: ConfigStore, doc: str = DOC) -> Document:
    document = store.get(doc)
    assert document is not None
    return document


def raw(offset: int, key: bytes | None, value: bytes) -> Message:
    return Message(topic=TOPIC, partition=0, offset=offset, value=value, key=key, timestamp_ms=None)


def test_a_write_changes_nothing_until_it_comes_back_from_the_topic() -> None:
    reader = make_reader(make_broker())
    reader.store.put(DOC, params_doc(a=1), base_version=None)
    assert reader.store.get(DOC) is None
    assert reader.store.pending(DOC)
    reader.feed()
    document = reader.store.get(DOC)
    assert document is not None
    assert document.body == params_doc(a=1)
    assert not reader.store.pending(DOC)


def test_applied_document_carries_version_writer_and_time() -> None:
    reader = make_reader(make_broker(), writer_id="session-a")
    version = reader.store.put(DOC, params_doc(a=1), base_version=None)
    reader.feed()
    document = reader.store.get(DOC)
    assert document is not None
    assert (document.version, document.writer) == (version, "session-a")
    assert version == 1
    assert document.written_at_ns > 0


def test_version_is_max_seen_plus_one() -> None:
    broker = make_broker()
    first, second = make_reader(broker), make_reader(broker)
    for _ in range(3):
        first.store.put(DOC, params_doc(a=1), base_version=None)
    second.feed()
    assert second.store.put(DOC, params_doc(a=2), base_version=3) == 4


def test_versions_bump_on_every_change_for_readers_to_pull() -> None:
    reader = make_reader(make_broker())
    before, doc_before = reader.store.version, reader.store.version_of(DOC)
    reader.store.put(DOC, params_doc(a=1), base_version=None)
    reader.store.put(workflow_params_doc(MONITOR), params_doc(MONITOR), base_version=None)
    reader.feed()
    assert reader.store.version == before + 2
    assert reader.store.version_of(DOC) > doc_before
    assert reader.store.version_of(workflow_params_doc(MONITOR)) == reader.store.version


def test_last_writer_in_the_log_wins_for_every_reader() -> None:
    broker = make_broker()
    a, b, observer = make_reader(broker), make_reader(broker), make_reader(broker)
    a.store.put(DOC, params_doc(who="a"), base_version=None)
    b.store.put(DOC, params_doc(who="b"), base_version=None)
    for reader in (a, b, observer):
        reader.feed()
        document = reader.store.get(DOC)
        assert document is not None
        assert document.body == params_doc(who="b")


def test_invalid_body_is_refused_before_publishing() -> None:
    broker = make_broker()
    reader = make_reader(broker)
    with pytest.raises(ValueError, match="workflow"):
        reader.store.put(DOC, {"workflow_id": "nonsense"}, base_version=None)
    assert broker.messages(TOPIC) == []


def test_document_of_unknown_kind_is_refused() -> None:
    reader = make_reader(make_broker())
    with pytest.raises(ValueError, match="no document kind"):
        reader.store.put("whatever", {}, base_version=None)


def test_document_body_must_match_its_id() -> None:
    reader = make_reader(make_broker())
    with pytest.raises(ValueError, match="holds"):
        reader.store.put(workflow_params_doc(MONITOR), params_doc(PANEL), base_version=None)


def test_oversized_document_is_refused() -> None:
    broker = make_broker()
    store = ConfigStore(sink=broker.producer(), topic=TOPIC, writer_id="w", max_value_bytes=200)
    with pytest.raises(ValueError, match="bytes"):
        store.put(DOC, params_doc(blob="x" * 500), base_version=None)
    assert broker.messages(TOPIC) == []


def test_delete_removes_the_document() -> None:
    reader = make_reader(make_broker())
    reader.store.put(DOC, params_doc(a=1), base_version=None)
    reader.feed()
    reader.store.delete(DOC, base_version=1)
    reader.feed()
    assert reader.store.get(DOC) is None


def test_kafka_tombstone_removes_the_document() -> None:
    reader = make_reader(make_broker())
    reader.store.put(DOC, params_doc(a=1), base_version=None)
    reader.feed()
    assert reader.store.on_message(raw(9, DOC.encode(), b""))
    assert reader.store.get(DOC) is None


CORRUPT = [
    ("config_key", None, b"{}"),
    ("config_json", b"grids", b"{oops"),
    ("config_schema", b"grids", b'{"schema": 9}'),
    ("config_envelope", b"grids", b'{"schema": 1, "doc": "grids"}'),
    (
        "config_doc",
        b"grids",
        encode_record(doc="grid/x", version=1, writer="w", written_at_ns=0, body={})[1],
    ),
    (
        "config_body",
        b"grids",
        encode_record(
            doc="grids", version=9, writer="w", written_at_ns=0, body={"grid_ids": ["x"]}
        )[1],
    ),
    (
        "config_body",
        b"unknown/doc",
        encode_record(doc="unknown/doc", version=1, writer="w", written_at_ns=0, body={})[1],
    ),
]


@pytest.mark.parametrize(("kind", "key", "value"), CORRUPT)
def test_corrupt_record_is_skipped_and_counted_keeping_the_last_valid_revision(
    kind: str, key: bytes | None, value: bytes
) -> None:
    reader = make_reader(make_broker())
    reader.store.put("grids", GridIndex(), base_version=None)
    reader.feed()
    before = reader.store.get("grids")
    assert not reader.store.on_message(raw(5, key, value))
    assert reader.store.get("grids") == before
    assert reader.store.stats()["skipped"] == {kind: 1}


def test_corrupt_records_are_logged_once_per_kind() -> None:
    reader = make_reader(make_broker())
    with capture_logs() as logs:
        for offset in range(3):
            reader.store.on_message(raw(offset, b"grids", b"{oops"))
        reader.store.on_message(raw(3, b"grids", b'{"schema": 2}'))
    skipped = [entry for entry in logs if entry["event"] == "config_record_skipped"]
    assert [(e["kind"], e["offset"]) for e in skipped] == [("config_json", 0), ("config_schema", 3)]
    assert reader.store.stats()["skipped"] == {"config_json": 3, "config_schema": 1}


def test_grid_document_must_hold_the_grid_of_its_id() -> None:
    reader = make_reader(make_broker())
    grid = simple_grid()
    value = encode_record(
        doc=f"grid/{uuid.uuid4()}",
        version=1,
        writer="w",
        written_at_ns=0,
        body=grid.model_dump(mode="json"),
    )
    assert not reader.store.on_message(raw(0, value[0], value[1]))
    assert reader.store.documents("grid/") == {}


def test_overlapping_cells_from_the_topic_are_never_shown() -> None:
    reader = make_reader(make_broker())
    body = simple_grid().model_dump(mode="json")
    body["cells"].append({**body["cells"][0], "cell_id": str(uuid.uuid4()), "layers": []})
    key, value = encode_record(
        doc=f"grid/{body['grid_id']}", version=1, writer="w", written_at_ns=0, body=body
    )
    assert not reader.store.on_message(raw(0, key, value))
    assert reader.store.stats()["skipped"] == {"config_body": 1}


def test_write_overwritten_by_an_unseeing_writer_raises_a_notice() -> None:
    broker = make_broker()
    a, b = make_reader(broker, "session-a"), make_reader(broker, "session-b")
    a.store.put(DOC, params_doc(who="a"), base_version=None)
    a.feed()
    b.store.put(DOC, params_doc(who="b"), base_version=None)
    a.feed()
    conflict = a.store.conflicts()[DOC]
    assert conflict.by_writer == "session-b"
    assert conflict.lost_version == 1
    assert conflict.message.startswith("overwritten by session-b at 2025-")
    b.feed()
    assert b.store.conflicts() == {}


def test_edit_on_top_of_our_write_is_no_conflict() -> None:
    broker = make_broker()
    a, b = make_reader(broker, "session-a"), make_reader(broker, "session-b")
    a.store.put(DOC, params_doc(who="a"), base_version=None)
    b.feed()
    seen = b.store.get(DOC)
    assert seen is not None
    b.store.put(DOC, params_doc(who="b"), base_version=seen.version)
    a.feed()
    assert a.store.conflicts() == {}
    assert current(a.store).body == params_doc(who="b")


def test_overwrite_with_an_equal_body_is_no_conflict() -> None:
    broker = make_broker()
    a, b = make_reader(broker, "session-a"), make_reader(broker, "session-b")
    a.store.put(DOC, params_doc(same=1), base_version=None)
    b.store.put(DOC, params_doc(same=1), base_version=None)
    a.feed()
    assert a.store.conflicts() == {}


def test_same_version_number_from_another_writer_is_a_conflict() -> None:
    broker = make_broker()
    a, b, c = (make_reader(broker, f"session-{n}") for n in "abc")
    a.store.put(DOC, params_doc(who="a0"), base_version=None)
    for reader in (a, b, c):
        reader.feed()
    b.store.put(DOC, params_doc(who="b"), base_version=1)  # version 2 by b
    c.feed()
    a.store.put(DOC, params_doc(who="a"), base_version=1)  # version 2 by a, unseen by c
    a.feed()
    c.store.put(DOC, params_doc(who="c"), base_version=2)  # edits b's version 2
    a.feed()
    assert a.store.conflicts()[DOC].by_writer == "session-c"


def test_deletion_by_another_writer_raises_a_notice() -> None:
    broker = make_broker()
    a, b = make_reader(broker, "session-a"), make_reader(broker, "session-b")
    a.store.put(DOC, params_doc(who="a"), base_version=None)
    a.feed()
    b.store.delete(DOC, base_version=None)
    a.feed()
    assert a.store.conflicts()[DOC].message.startswith("deleted by session-b")


def test_notice_ends_when_we_write_again_or_dismiss_it() -> None:
    broker = make_broker()
    a, b = make_reader(broker, "session-a"), make_reader(broker, "session-b")
    for doc in (DOC, workflow_params_doc(MONITOR)):
        body = params_doc(PANEL if doc == DOC else MONITOR, who="a")
        a.store.put(doc, body, base_version=None)
        b.store.put(doc, body.model_copy(update={"params": {"who": "b"}}), base_version=None)
    a.feed()
    assert set(a.store.conflicts()) == {DOC, workflow_params_doc(MONITOR)}
    a.store.put(DOC, params_doc(who="a again"), base_version=2)
    a.feed()
    before = a.store.version
    a.store.dismiss_conflict(workflow_params_doc(MONITOR))
    assert a.store.conflicts() == {}
    assert a.store.version > before


def test_synced_only_once_its_own_marker_came_back() -> None:
    broker = make_broker()
    other = make_reader(broker)
    other.store.request_sync()
    reader = make_reader(broker)
    reader.store.put(DOC, params_doc(a=1), base_version=None)
    reader.store.request_sync()
    reader.feed_some(2)
    assert not reader.store.synced
    reader.feed()
    assert reader.store.synced
    assert reader.store.get(DOC) is not None


def test_sync_markers_are_not_documents() -> None:
    reader = make_reader(make_broker())
    reader.store.request_sync()
    reader.feed()
    assert reader.store.documents() == {}
    assert reader.store.stats()["internal"] == 1


def test_mark_synced_for_feeders_that_know_the_end() -> None:
    reader = make_reader(make_broker())
    reader.store.mark_synced()
    assert reader.store.synced


def test_sync_marker_cannot_be_written_as_a_document() -> None:
    reader = make_reader(make_broker())
    with pytest.raises(ValueError, match="no document kind"):
        reader.store.put("_sync", {"token": "x"}, base_version=None)


def test_documents_lists_by_prefix() -> None:
    reader = make_reader(make_broker())
    grid = simple_grid()
    reader.store.put(f"grid/{grid.grid_id}", grid, base_version=None)
    reader.store.put(DOC, params_doc(), base_version=None)
    reader.feed()
    grids = reader.store.documents("grid/")
    assert list(grids) == [f"grid/{grid.grid_id}"]
    assert isinstance(grids[f"grid/{grid.grid_id}"].body, Grid)
    assert isinstance(current(reader.store).body, WorkflowParams)


def test_records_are_compact_json_envelopes_keyed_by_document() -> None:
    broker = make_broker()
    reader = make_reader(broker, "session-a")
    reader.store.put(DOC, params_doc(a=1), base_version=None)
    (message,) = broker.messages(TOPIC)
    assert message.key == DOC.encode()
    value = json.loads(message.value)
    assert value["schema"] == 1
    assert value["doc"] == DOC
    assert value["writer"] == "session-a"
    assert value["body"]["params"] == {"a": 1}


def test_writer_id_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="writer_id"):
        ConfigStore(sink=make_broker().producer(), topic=TOPIC, writer_id="")
