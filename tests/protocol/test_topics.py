"""Topic names and the configuration each livedata topic is created with (PROTOCOL.md 1)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from livedash.protocol.topics import LivedataTopics, StreamKind, livedata_topic_specs, topic_for


@pytest.mark.parametrize(
    ("kind", "topic"),
    [
        (StreamKind.DATA, "dummy_livedata_data"),
        (StreamKind.STATUS, "dummy_livedata_heartbeat"),
        (StreamKind.RESPONSES, "dummy_livedata_responses"),
        (StreamKind.COMMANDS, "dummy_livedata_commands"),
        (StreamKind.ROI, "dummy_livedata_roi"),
        (StreamKind.NICOS_DATA, "dummy_livedata_nicos_data"),
    ],
)
def test_topic_is_instrument_plus_suffix(kind, topic):
    assert topic_for("dummy", kind) == topic


@pytest.mark.parametrize("instrument", ["", "a/b", "a:b"])
def test_invalid_instrument_names_are_refused(instrument):
    with pytest.raises(ValueError, match="instrument"):
        topic_for(instrument, StreamKind.DATA)


def test_specs_cover_the_five_livedata_topics_and_the_config_topic():
    names = {spec.name for spec in livedata_topic_specs("dummy")}
    assert names == {
        "dummy_livedata_data", "dummy_livedata_roi", "dummy_livedata_commands",
        "dummy_livedata_responses", "dummy_livedata_heartbeat", "dummy_livedash_config",
    }  # fmt: skip


def test_data_topics_keep_30_s_and_allow_100_mib_messages():
    specs = {spec.name: spec for spec in livedata_topic_specs("dummy")}
    for name in ("dummy_livedata_data", "dummy_livedata_roi"):
        assert specs[name].config["retention.ms"] == "30000"
        assert specs[name].config["max.message.bytes"] == str(100 * 1024 * 1024)
        assert specs[name].config["cleanup.policy"] == "delete"


def test_control_topics_keep_48_h_with_1_mib_messages():
    specs = {spec.name: spec for spec in livedata_topic_specs("dummy")}
    for name in ("dummy_livedata_commands", "dummy_livedata_responses", "dummy_livedata_heartbeat"):
        assert specs[name].config["retention.ms"] == str(48 * 3600 * 1000)
        assert specs[name].config["max.message.bytes"] == str(1024 * 1024)


def test_config_topic_is_compacted_and_every_topic_has_one_partition():
    specs = livedata_topic_specs("dummy")
    assert {spec.partitions for spec in specs} == {1}
    config = next(s for s in specs if s.name == "dummy_livedash_config")
    assert config.config["cleanup.policy"] == "compact"


def test_livedata_topics_name_every_stream_kind_of_the_instrument():
    topics = LivedataTopics.for_instrument("dummy")
    assert topics == LivedataTopics(
        data="dummy_livedata_data",
        status="dummy_livedata_heartbeat",
        responses="dummy_livedata_responses",
        commands="dummy_livedata_commands",
        roi="dummy_livedata_roi",
        nicos_data="dummy_livedata_nicos_data",
        livedash_config="dummy_livedash_config",
    )
    assert {getattr(topics, f.name) for f in fields(topics)} == {
        topic_for("dummy", kind) for kind in StreamKind
    }


def test_livedata_topics_refuse_an_invalid_instrument_name():
    with pytest.raises(ValueError, match="instrument"):
        LivedataTopics.for_instrument("a/b")


def test_livedata_topics_subclass_builds_itself():
    class Mine(LivedataTopics):
        pass

    assert isinstance(Mine.for_instrument("dummy"), Mine)
