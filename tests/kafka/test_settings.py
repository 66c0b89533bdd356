from __future__ import annotations

import argparse

import confluent_kafka
import pytest

from livedash.kafka.settings import (
    MESSAGE_MAX_BYTES,
    KafkaSettings,
    SettingsError,
    add_kafka_arguments,
    settings_from_args,
)

SASL_ENV = {
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "KAFKA_SASL_USERNAME": "livedash",
    "KAFKA_SASL_PASSWORD": "s3cret-pw",
}


def test_bootstrap_defaults_to_local_broker() -> None:
    assert KafkaSettings.from_env(environ={}).bootstrap == "127.0.0.1:9092"


def test_bootstrap_comes_from_environment_without_flag() -> None:
    settings = KafkaSettings.from_env(environ={"KAFKA_BOOTSTRAP_SERVERS": "kafka:9093"})
    assert settings.bootstrap == "kafka:9093"


def test_flag_wins_over_environment() -> None:
    settings = KafkaSettings.from_env(
        "flag-host:1234", environ={"KAFKA_BOOTSTRAP_SERVERS": "env-host:9093"}
    )
    assert settings.bootstrap == "flag-host:1234"


def test_empty_environment_variables_count_as_unset() -> None:
    settings = KafkaSettings.from_env(
        environ={"KAFKA_BOOTSTRAP_SERVERS": "", "KAFKA_SECURITY_PROTOCOL": " "}
    )
    assert settings.bootstrap == "127.0.0.1:9092"
    assert settings.security_protocol is None


def test_security_variables_map_to_librdkafka_properties() -> None:
    config = KafkaSettings.from_env("k:9092", environ=SASL_ENV).client_config()
    assert config["security.protocol"] == "SASL_SSL"
    assert config["sasl.mechanism"] == "SCRAM-SHA-512"
    assert config["sasl.username"] == "livedash"
    assert config["sasl.password"] == "s3cret-pw"


def test_plaintext_config_has_no_security_properties() -> None:
    config = KafkaSettings(bootstrap="k:9092").client_config()
    assert not {"security.protocol", "sasl.mechanism", "sasl.username", "sasl.password"} & set(
        config
    )


def test_client_config_allows_upstream_message_size() -> None:
    assert KafkaSettings().client_config()["message.max.bytes"] == 100_971_520
    assert MESSAGE_MAX_BYTES == 100_971_520


def test_extra_properties_are_applied_last() -> None:
    settings = KafkaSettings(extra={"message.max.bytes": 1000, "ssl.ca.location": "/ca.pem"})
    config = settings.client_config()
    assert config["message.max.bytes"] == 1000
    assert config["ssl.ca.location"] == "/ca.pem"


def test_security_protocol_is_case_insensitive() -> None:
    settings = KafkaSettings.from_env(environ={**SASL_ENV, "KAFKA_SECURITY_PROTOCOL": "sasl_ssl"})
    assert settings.security_protocol == "SASL_SSL"


def test_sasl_mechanism_without_username_names_the_variable() -> None:
    env = {k: v for k, v in SASL_ENV.items() if k != "KAFKA_SASL_USERNAME"}
    with pytest.raises(SettingsError, match="KAFKA_SASL_USERNAME"):
        KafkaSettings.from_env(environ=env)


def test_sasl_mechanism_without_password_names_the_variable() -> None:
    env = {k: v for k, v in SASL_ENV.items() if k != "KAFKA_SASL_PASSWORD"}
    with pytest.raises(SettingsError, match="KAFKA_SASL_PASSWORD"):
        KafkaSettings.from_env(environ=env)


def test_sasl_protocol_without_mechanism_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="KAFKA_SASL_MECHANISM is required"):
        KafkaSettings.from_env(environ={"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"})


def test_sasl_credentials_without_sasl_protocol_are_rejected() -> None:
    env = {**SASL_ENV, "KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}
    with pytest.raises(SettingsError, match="KAFKA_SECURITY_PROTOCOL"):
        KafkaSettings.from_env(environ=env)


def test_unknown_security_protocol_is_rejected() -> None:
    with pytest.raises(SettingsError, match="KAFKA_SECURITY_PROTOCOL='TLS'"):
        KafkaSettings.from_env(environ={"KAFKA_SECURITY_PROTOCOL": "TLS"})


def test_unknown_sasl_mechanism_is_rejected() -> None:
    with pytest.raises(SettingsError, match="KAFKA_SASL_MECHANISM='MD5'"):
        KafkaSettings.from_env(environ={**SASL_ENV, "KAFKA_SASL_MECHANISM": "MD5"})


@pytest.mark.parametrize(
    "bootstrap",
    ["localhost", "host:", ":9092", "host:0", "host:65536", "host:port", "a:1,", "a b:1", " "],
)
def test_malformed_bootstrap_is_rejected(bootstrap: str) -> None:
    with pytest.raises(SettingsError, match="HOST:PORT"):
        KafkaSettings(bootstrap=bootstrap)


@pytest.mark.parametrize("bootstrap", ["a:1,b.example.org:9093", "[::1]:9092", "10.0.0.1:65535"])
def test_well_formed_bootstrap_lists_are_accepted(bootstrap: str) -> None:
    assert KafkaSettings(bootstrap=bootstrap).bootstrap == bootstrap


def test_repr_masks_the_password() -> None:
    text = repr(KafkaSettings.from_env(environ=SASL_ENV))
    assert "s3cret-pw" not in text
    assert "sasl_password='***'" in text
    assert "livedash" in text


def test_kafka_bootstrap_flag_reaches_settings() -> None:
    parser = argparse.ArgumentParser()
    add_kafka_arguments(parser)
    args = parser.parse_args(["--kafka-bootstrap", "broker.example.org:19092"])
    assert settings_from_args(args).bootstrap == "broker.example.org:19092"


def test_client_config_is_accepted_by_librdkafka() -> None:
    config = KafkaSettings.from_env("127.0.0.1:9092", environ=SASL_ENV).client_config()
    # Creating a client validates the configuration without connecting.
    confluent_kafka.Producer(config).close()


def test_settings_are_hashable_and_comparable() -> None:
    assert hash(KafkaSettings(extra={"a": 1})) == hash(KafkaSettings(extra={"a": 2}))
    assert KafkaSettings(extra={"a": 1}) != KafkaSettings(extra={"a": 2})
