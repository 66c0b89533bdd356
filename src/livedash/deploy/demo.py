"""``livedash demo``: the whole system on one machine, exactly as it is deployed.

Renders nginx.conf and supervisord.conf with the demo services (embedded broker, topic
setup, fake backend) into the run directory, then *becomes* ``supervisord -n`` in the
foreground. supervisord starts everything in priority order and, on Ctrl-C or SIGTERM,
stops it in reverse: nginx, the workers, the fake backend, the broker last. A terminal's
Ctrl-C reaches only supervisord (and the announcer): supervisord starts every program in
its own process group, so no program sees the SIGINT and the order holds.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import structlog

from . import announce, nginx
from .render import write_config
from .settings import SUPERVISORD_FILE, DeploySettings

logger = structlog.get_logger(__name__)

# A worker imports Panel and Bokeh (several seconds on a busy machine); the broker, the
# topics and the fake backend start in parallel with it.
_ANNOUNCE_TIMEOUT_S = 180.0


class DemoError(RuntimeError):
    """The demo cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class DemoOptions:
    workers: int = 2
    port: int = 8080
    kafka_port: int = 9092
    base_port: int = 5100
    run_dir: Path = Path("run")
    instrument: str = "dummy"


def demo_settings(options: DemoOptions) -> DeploySettings:
    """Deployment settings of the demo: everything on loopback, run dir absolute."""
    return DeploySettings(
        workers=options.workers,
        port=options.port,
        listen_address="127.0.0.1",
        public_host="127.0.0.1",
        kafka_bootstrap=f"127.0.0.1:{options.kafka_port}",
        instrument=options.instrument,
        base_port=options.base_port,
        run_dir=str(options.run_dir.resolve()),
        with_demo_services=True,
        livedash_command=_livedash_command(),
        nginx_command=_nginx_binary(),
    )


def run_demo(options: DemoOptions) -> int:
    """Prepare the run directory and exec supervisord; returns only on failure (exit code)."""
    try:
        settings = demo_settings(options)
        _check_ports_free(settings)
        run_dir = options.run_dir.resolve()
        write_config(settings, run_dir)
        nginx.check_config(settings, run_dir)
    except (DemoError, ValueError, nginx.NginxError) as exc:
        logger.error("demo failed to start", error=str(exc))
        return 1
    sys.stdout.write(
        f"livedash demo: {options.workers} worker(s), nginx on port {options.port}, "
        f"broker on port {options.kafka_port}; configuration and logs in {run_dir}\n"
    )
    sys.stdout.flush()
    announce.spawn_detached(settings, timeout_s=_ANNOUNCE_TIMEOUT_S)
    command = [*_supervisord_command(), "-n", "-c", str(run_dir / SUPERVISORD_FILE)]
    os.execv(command[0], command)  # noqa: S606 -- our own argument list, by design
    return 1  # pragma: no cover -- execv does not return


def _check_ports_free(settings: DeploySettings) -> None:
    """Fail before starting anything if a port the demo needs is taken."""
    wanted = {"nginx": settings.port, "broker": settings.broker_port or 0}
    wanted.update({f"worker {i}": port for i, port in enumerate(settings.worker_ports())})
    for owner, port in wanted.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # Connections of a previous run in TIME_WAIT do not make a port busy.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                raise DemoError(
                    f"port {port} for the {owner} is taken ({exc.strerror}); is another "
                    "demo running? Choose other ports with --port, --kafka-port, --base-port"
                ) from exc


def _livedash_command() -> str:
    """This installation's ``livedash``, so supervisord needs no PATH set up."""
    script = Path(sys.executable).with_name("livedash")
    return str(script) if script.exists() else f"{sys.executable} -m livedash"


def _supervisord_command() -> list[str]:
    script = Path(sys.executable).with_name("supervisord")
    return [str(script)] if script.exists() else [sys.executable, "-m", "supervisor.supervisord"]


def _nginx_binary() -> str:
    # Debian installs nginx in /usr/sbin, which is not on an ordinary user's PATH.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise DemoError(
            "nginx is not installed: run scripts/bootstrap nginx (or apt install nginx)"
        )
    return found
