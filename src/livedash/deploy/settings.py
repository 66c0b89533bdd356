"""What a rendered deployment is made of: the settings behind nginx.conf and supervisord.conf.

``livedash deploy render`` stores them as ``livedash-deploy.json`` beside the two files, so
``livedash deploy scale``, ``drain`` and ``status`` know the ports, the run directory and
how nginx is reloaded without the operator repeating any flag. The file is the single
source of truth of a deployment: the configs are always re-rendered from it, never edited.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SETTINGS_FILE = "livedash-deploy.json"
NGINX_FILE = "nginx.conf"
SUPERVISORD_FILE = "supervisord.conf"

MAX_WORKERS = 64
# Characters that would need quoting in supervisord or nginx files. Refusing them keeps
# the templates free of escaping rules nobody can review.
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9._/~+-]+$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMMAND = re.compile(r"^[A-Za-z0-9._/~+ -]+$")
# Environment values are written as KEY="value" into supervisord.conf, whose parser has no
# escapes: quotes, backslashes, ";" (a comment) and "%" (an expansion) cannot be written.
_ENV_VALUE = re.compile(r"^[ !#$&()*+,./0-9:<=>?@A-Z\[\]^_`a-z{|}~-]*$")


@dataclass(frozen=True)
class DeploySettings:
    """Everything the two configuration files are rendered from.

    ``run_dir`` holds logs, pid files, sockets and nginx's temporary files; a relative
    ``run_dir`` is relative to the directory the configuration files are in. Worker ``i``
    listens on ``127.0.0.1:(base_port + i)`` under the prefix ``/w/<i>``.
    """

    workers: int = 3
    port: int = 8080
    listen_address: str = "127.0.0.1"
    public_host: str = "127.0.0.1"
    kafka_bootstrap: str = "127.0.0.1:9092"
    instrument: str = "dummy"
    base_port: int = 5100
    run_dir: str = "run"
    with_demo_services: bool = False
    with_nginx: bool = False
    livedash_command: str = "livedash"
    nginx_command: str = "nginx"
    environment: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"workers must be within 1..{MAX_WORKERS}, got {self.workers!r}")
        _check_port("port", self.port)
        _check_port("base_port", self.base_port)
        _check_port("last worker port", self.base_port + self.workers - 1)
        if self.base_port <= self.port < self.base_port + self.workers:
            raise ValueError(
                f"port {self.port} collides with the worker ports "
                f"{self.base_port}..{self.base_port + self.workers - 1}"
            )
        _check_address(self.listen_address)
        host, _, public_port = self.public_host.partition(":")
        if not _HOST.match(host) or (public_port and not public_port.isdigit()):
            raise ValueError(f"public_host must be HOST or HOST:PORT, got {self.public_host!r}")
        if not _PLAIN_PATH.match(self.run_dir):
            raise ValueError(
                f"run_dir must be a plain path (no spaces, %, quotes): {self.run_dir!r}"
            )
        if not re.match(r"^[a-z][a-z0-9_]*$", self.instrument):
            raise ValueError(f"instrument must be a lower-case name, got {self.instrument!r}")
        for name, command in (("livedash", self.livedash_command), ("nginx", self.nginx_command)):
            if not _COMMAND.match(command):
                raise ValueError(f"{name} command must be a plain command line: {command!r}")
        for key, value in self.environment.items():
            if not _ENV_NAME.match(key):
                raise ValueError(f"environment variable name {key!r} is not valid")
            if not _ENV_VALUE.match(value):
                raise ValueError(
                    f"the value of {key} contains a character supervisord cannot quote "
                    "(one of \" ' ; % \\ or a control character); pass it in the environment "
                    "of supervisord itself instead (docs/operations.md)"
                )
        if self.with_demo_services and self.broker_port is None:
            raise ValueError(
                "with demo services the embedded broker runs here, so kafka_bootstrap must "
                f"be 127.0.0.1:PORT, got {self.kafka_bootstrap!r}"
            )

    @property
    def public_origin(self) -> str:
        """``host:port`` as browsers see it: the only origin workers accept WebSockets from."""
        return self.public_host if ":" in self.public_host else f"{self.public_host}:{self.port}"

    @property
    def nginx_listen(self) -> str:
        """The ``listen`` argument of nginx: ``address:port``, IPv6 in brackets."""
        address = self.listen_address
        return f"[{address}]:{self.port}" if ":" in address else f"{address}:{self.port}"

    @property
    def local_nginx_host(self) -> str:
        """Where a tool on this host reaches nginx (loopback when it listens everywhere)."""
        if ipaddress.ip_address(self.listen_address).is_unspecified:
            return "127.0.0.1"
        return self.listen_address

    @property
    def broker_port(self) -> int | None:
        """Port of the embedded broker, if ``kafka_bootstrap`` is one on this machine."""
        match = re.match(r"^127\.0\.0\.1:([0-9]{1,5})$", self.kafka_bootstrap)
        return int(match[1]) if match else None

    @property
    def manages_nginx(self) -> bool:
        """Whether supervisord runs nginx (else the operator's own nginx service does)."""
        return self.with_nginx or self.with_demo_services

    def worker_port(self, index: int) -> int:
        return self.base_port + index

    def worker_ports(self) -> list[int]:
        return [self.worker_port(i) for i in range(self.workers)]

    def config_id(self) -> str:
        """A short fingerprint of these settings; nginx reports it once a reload applied."""
        text = json.dumps(self.to_json(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def with_workers(self, workers: int) -> DeploySettings:
        return dataclasses.replace(self, workers=workers)

    def run_path(self, config_dir: Path) -> Path:
        """The run directory as an absolute path (a relative one hangs off ``config_dir``)."""
        return (config_dir / self.run_dir).resolve()

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeploySettings:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown deployment settings: {', '.join(unknown)}")
        return cls(**data)


def load_settings(config_dir: Path) -> DeploySettings:
    """Read ``livedash-deploy.json`` from ``config_dir``; ``ValueError`` names what is wrong."""
    path = config_dir / SETTINGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(
            f"{path} not found: render the deployment first (livedash deploy render)"
        ) from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object")
    return DeploySettings.from_json(data)


def settings_text(settings: DeploySettings) -> str:
    return json.dumps(settings.to_json(), indent=2, sort_keys=True) + "\n"


def _check_port(name: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise ValueError(f"{name} must be within 1..65535, got {port!r}")


def _check_address(address: str) -> None:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"listen_address must be an IP address, got {address!r}") from None
