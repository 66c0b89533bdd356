"""Controlling the deployment's supervisord over its unix socket (XML-RPC).

The same calls ``supervisorctl`` makes, but with structured answers: scaling needs to know
exactly which programs a re-read configuration adds or removes, so that it starts or
stops those and touches nothing else (``supervisorctl update`` would also restart every
program whose configuration changed).
"""

from __future__ import annotations

import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supervisor.xmlrpc import SupervisorTransport

SOCKET_NAME = "supervisor.sock"


class SupervisorError(RuntimeError):
    """supervisord is not reachable or refused a call; the message says which."""


@dataclass(frozen=True)
class ConfigDiff:
    """Program groups a re-read configuration adds, changes and removes."""

    added: list[str]
    changed: list[str]
    removed: list[str]


class Supervisor:
    """One supervisord, reached through ``<run dir>/supervisor.sock``.

    Every method raises :class:`SupervisorError` when supervisord is down or answers
    with a fault. Calls block until supervisord answers (stopping a program waits up to
    its ``stopwaitsecs``).
    """

    def __init__(self, *, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._transport = SupervisorTransport(None, None, f"unix://{socket_path}")
        # The host part is ignored: the transport always talks to the unix socket.
        self._proxy = xmlrpc.client.ServerProxy("http://localhost", transport=self._transport)

    @classmethod
    def for_run_dir(cls, run_dir: Path) -> Supervisor:
        return cls(socket_path=run_dir / SOCKET_NAME)

    def _call(self, method: str, *args: Any) -> Any:
        target = self._proxy
        for part in method.split("."):
            target = getattr(target, part)
        try:
            return target(*args)
        except xmlrpc.client.Fault as exc:
            raise SupervisorError(f"supervisord refused {method}{args}: {exc.faultString}") from exc
        except (OSError, xmlrpc.client.ProtocolError) as exc:
            raise SupervisorError(
                f"supervisord is not reachable at {self.socket_path}: {exc} "
                "(is it running with this configuration?)"
            ) from exc
        finally:
            # One connection per call: nothing is left open between calls (or at exit).
            self._transport.close()

    def state(self) -> str:
        """supervisord's own state name, e.g. RUNNING or SHUTDOWN."""
        return str(self._call("supervisor.getState")["statename"])

    def reread(self) -> ConfigDiff:
        """Re-read the configuration file; report what changed (nothing is applied)."""
        added, changed, removed = self._call("supervisor.reloadConfig")[0]
        return ConfigDiff(added=sorted(added), changed=sorted(changed), removed=sorted(removed))

    def add(self, group: str) -> None:
        """Add a group from the re-read configuration; its programs start (autostart)."""
        self._call("supervisor.addProcessGroup", group)

    def remove(self, group: str) -> None:
        """Stop a group (waiting for its programs to exit), then forget it."""
        self._call("supervisor.stopProcessGroup", group, True)
        self._call("supervisor.removeProcessGroup", group)

    def signal(self, name: str, signal_name: str) -> None:
        self._call("supervisor.signalProcess", name, signal_name)

    def processes(self) -> dict[str, dict[str, Any]]:
        """Every program's info (``statename``, ``pid``, ...), by program name."""
        return {info["name"]: info for info in self._call("supervisor.getAllProcessInfo")}
