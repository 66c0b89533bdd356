"""Deployment settings: validation, derived values and the JSON round trip."""

from __future__ import annotations

import json

import pytest

from livedash.deploy.settings import SETTINGS_FILE, DeploySettings, load_settings, settings_text


def test_worker_ports_start_at_the_base_port() -> None:
    assert DeploySettings(workers=3, base_port=6000).worker_ports() == [6000, 6001, 6002]


def test_public_origin_takes_the_nginx_port_unless_given() -> None:
    assert DeploySettings(public_host="ctrl.ess.eu", port=8080).public_origin == "ctrl.ess.eu:8080"
    assert DeploySettings(public_host="ctrl.ess.eu:443").public_origin == "ctrl.ess.eu:443"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("workers", 0, "workers"),
        ("port", 5101, "collides"),
        ("run_dir", "my run", "run_dir"),
        ("run_dir", "run%(here)s", "run_dir"),
        ("public_host", "a b", "public_host"),
        ("listen_address", "localhost", "listen_address"),
        ("livedash_command", "livedash; rm -rf /", "livedash command"),
        ("environment", {"KAFKA_SASL_PASSWORD": 'a"b'}, "KAFKA_SASL_PASSWORD"),
        ("environment", {"KAFKA_SASL_PASSWORD": "50%"}, "KAFKA_SASL_PASSWORD"),
        ("environment", {"BAD-NAME": "x"}, "BAD-NAME"),
    ],
)
def test_invalid_settings_are_refused_naming_the_value(field, value, named) -> None:
    with pytest.raises(ValueError, match=named):
        DeploySettings(**{field: value})


def test_demo_services_need_a_local_broker_address() -> None:
    with pytest.raises(ValueError, match="kafka_bootstrap"):
        DeploySettings(with_demo_services=True, kafka_bootstrap="kafka.ess.eu:9092")


def test_demo_services_imply_nginx_under_supervisord() -> None:
    assert DeploySettings(with_demo_services=True).manages_nginx
    assert not DeploySettings().manages_nginx


def test_ipv6_listen_address_is_bracketed_for_nginx() -> None:
    assert DeploySettings(listen_address="::1", port=8080).nginx_listen == "[::1]:8080"


def test_tools_reach_an_everywhere_listening_nginx_on_loopback() -> None:
    assert DeploySettings(listen_address="0.0.0.0").local_nginx_host == "127.0.0.1"


def test_config_id_changes_with_the_worker_count() -> None:
    settings = DeploySettings(workers=3)
    assert settings.config_id() == DeploySettings(workers=3).config_id()
    assert settings.config_id() != settings.with_workers(4).config_id()


def test_settings_survive_the_json_file(tmp_path) -> None:
    settings = DeploySettings(workers=4, environment={"KAFKA_SECURITY_PROTOCOL": "SASL_SSL"})
    (tmp_path / SETTINGS_FILE).write_text(settings_text(settings))
    assert load_settings(tmp_path) == settings


def test_missing_settings_file_says_to_render_first(tmp_path) -> None:
    with pytest.raises(ValueError, match="livedash deploy render"):
        load_settings(tmp_path)


def test_unknown_keys_in_the_settings_file_are_refused(tmp_path) -> None:
    (tmp_path / SETTINGS_FILE).write_text(json.dumps({"workers": 2, "wrokers": 3}))
    with pytest.raises(ValueError, match="wrokers"):
        load_settings(tmp_path)
