"""The topics one session reads and writes, derived from the instrument name."""

from __future__ import annotations

from dataclasses import dataclass

from ..protocol.topics import StreamKind, topic_for


@dataclass(frozen=True)
class SessionTopics:
    """Every topic a session uses: it reads data, status and responses, and writes
    commands and its heartbeat (to status)."""

    data: str
    status: str
    responses: str
    commands: str

    @classmethod
    def for_instrument(cls, instrument: str) -> SessionTopics:
        return cls(
            data=topic_for(instrument, StreamKind.DATA),
            status=topic_for(instrument, StreamKind.STATUS),
            responses=topic_for(instrument, StreamKind.RESPONSES),
            commands=topic_for(instrument, StreamKind.COMMANDS),
        )

    @property
    def consumed(self) -> list[str]:
        return [self.data, self.status, self.responses]
