"""Where the Kafka cluster is and how to authenticate to it.

Resolution order for the bootstrap servers: the ``--kafka-bootstrap`` flag, then
``KAFKA_BOOTSTRAP_SERVERS``, then ``127.0.0.1:9092``. Security comes only from the
environment, with the variable names of the upstream ``kafka_docker`` configuration
(PROTOCOL.md 8): ``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_MECHANISM``,
``KAFKA_SASL_USERNAME`` and ``KAFKA_SASL_PASSWORD``. Settings are validated when built,
so a misconfiguration fails at startup with a message naming the variable, not later
as a librdkafka connection error.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"

#: Upstream sets this on every client (PROTOCOL.md 8): results and detector images can
#: be up to ~100 MiB.
MESSAGE_MAX_BYTES = 100_971_520

ENV_BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS"
ENV_SECURITY_PROTOCOL = "KAFKA_SECURITY_PROTOCOL"
ENV_SASL_MECHANISM = "KAFKA_SASL_MECHANISM"
ENV_SASL_USERNAME = "KAFKA_SASL_USERNAME"
ENV_SASL_PASSWORD = "KAFKA_SASL_PASSWORD"  # noqa: S105 -- a variable name, not a secret

_SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI", "OAUTHBEARER")
# Mechanisms that authenticate with a username and password (the others use Kerberos
# or tokens configured through ``extra``).
_PASSWORD_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
# A host name, an IPv4 address or a bracketed IPv6 address, then a port.
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})$")


class SettingsError(ValueError):
    """The Kafka settings are invalid; the message names the offending variable."""


def _check_bootstrap(bootstrap: str) -> None:
    servers = [s.strip() for s in bootstrap.split(",")]
    if not bootstrap.strip() or any(not s for s in servers):
        raise SettingsError(
            f"bootstrap servers {bootstrap!r} must be a comma-separated list of HOST:PORT "
            f"(flag --kafka-bootstrap or {ENV_BOOTSTRAP})"
        )
    for server in servers:
        match = _HOST_PORT.match(server)
        if match is None or not 1 <= int(match["port"]) <= 65535:
            raise SettingsError(
                f"bootstrap server {server!r} is not HOST:PORT with a port in 1..65535 "
                f"(flag --kafka-bootstrap or {ENV_BOOTSTRAP})"
            )


@dataclass(frozen=True)
class KafkaSettings:
    """Connection settings shared by every Kafka client of a process.

    ``extra`` holds further librdkafka properties (for example ``ssl.ca.location``); they
    are applied last. The password never appears in ``repr`` or in log lines.
    """

    bootstrap: str = DEFAULT_BOOTSTRAP
    security_protocol: str | None = None
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _check_bootstrap(self.bootstrap)
        protocol = self.security_protocol.upper() if self.security_protocol else None
        mechanism = self.sasl_mechanism.upper() if self.sasl_mechanism else None
        object.__setattr__(self, "security_protocol", protocol)
        object.__setattr__(self, "sasl_mechanism", mechanism)
        object.__setattr__(self, "extra", dict(self.extra))
        if protocol is not None and protocol not in _SECURITY_PROTOCOLS:
            raise SettingsError(
                f"{ENV_SECURITY_PROTOCOL}={self.security_protocol!r} is not one of "
                f"{', '.join(_SECURITY_PROTOCOLS)}"
            )
        uses_sasl = protocol is not None and protocol.startswith("SASL_")
        if mechanism is not None and mechanism not in _SASL_MECHANISMS:
            raise SettingsError(
                f"{ENV_SASL_MECHANISM}={self.sasl_mechanism!r} is not one of "
                f"{', '.join(_SASL_MECHANISMS)}"
            )
        if uses_sasl and mechanism is None:
            raise SettingsError(
                f"{ENV_SASL_MECHANISM} is required when {ENV_SECURITY_PROTOCOL}={protocol}"
            )
        if not uses_sasl and (mechanism or self.sasl_username or self.sasl_password):
            raise SettingsError(
                f"SASL settings are given but {ENV_SECURITY_PROTOCOL} is "
                f"{protocol or 'unset'}; set it to SASL_PLAINTEXT or SASL_SSL"
            )
        if mechanism in _PASSWORD_MECHANISMS:
            if not self.sasl_username:
                raise SettingsError(
                    f"{ENV_SASL_USERNAME} is required when {ENV_SASL_MECHANISM}={mechanism}"
                )
            if not self.sasl_password:
                raise SettingsError(
                    f"{ENV_SASL_PASSWORD} is required when {ENV_SASL_MECHANISM}={mechanism}"
                )

    def __repr__(self) -> str:
        password = "'***'" if self.sasl_password else "None"
        return (
            f"KafkaSettings(bootstrap={self.bootstrap!r}, "
            f"security_protocol={self.security_protocol!r}, "
            f"sasl_mechanism={self.sasl_mechanism!r}, sasl_username={self.sasl_username!r}, "
            f"sasl_password={password}, extra={sorted(self.extra)!r})"
        )

    @classmethod
    def from_env(
        cls, bootstrap: str | None = None, *, environ: Mapping[str, str] | None = None
    ) -> KafkaSettings:
        """Build settings from a flag value (wins if given) and the environment.

        Empty environment variables count as unset. ``environ`` defaults to
        :data:`os.environ` and exists so tests need not touch the real environment.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            bootstrap=bootstrap or get(ENV_BOOTSTRAP) or DEFAULT_BOOTSTRAP,
            security_protocol=get(ENV_SECURITY_PROTOCOL),
            sasl_mechanism=get(ENV_SASL_MECHANISM),
            sasl_username=get(ENV_SASL_USERNAME),
            # A password may legitimately have surrounding spaces; only "" means unset.
            sasl_password=env.get(ENV_SASL_PASSWORD) or None,
        )

    def client_config(self) -> dict[str, Any]:
        """The librdkafka properties shared by consumers, producers and admin clients."""
        config: dict[str, Any] = {
            "bootstrap.servers": self.bootstrap,
            "message.max.bytes": MESSAGE_MAX_BYTES,
        }
        if self.security_protocol:
            config["security.protocol"] = self.security_protocol
        if self.sasl_mechanism:
            config["sasl.mechanism"] = self.sasl_mechanism
        if self.sasl_username:
            config["sasl.username"] = self.sasl_username
        if self.sasl_password:
            config["sasl.password"] = self.sasl_password
        config.update(self.extra)
        return config


def add_kafka_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--kafka-bootstrap HOST:PORT`` to a sub-command's parser."""
    parser.add_argument(
        "--kafka-bootstrap",
        metavar="HOST:PORT",
        default=None,
        help=f"Kafka bootstrap servers (default: ${ENV_BOOTSTRAP} or {DEFAULT_BOOTSTRAP}); "
        f"security settings come from {ENV_SECURITY_PROTOCOL} and KAFKA_SASL_*",
    )


def settings_from_args(args: argparse.Namespace) -> KafkaSettings:
    """Settings for a parsed command line that used :func:`add_kafka_arguments`."""
    return KafkaSettings.from_env(getattr(args, "kafka_bootstrap", None))
