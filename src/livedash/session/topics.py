"""The topics one session reads and writes, derived from the instrument name."""

from __future__ import annotations

from ..protocol.topics import LivedataTopics


class SessionTopics(LivedataTopics):
    """Every livedata topic, plus which of them a session reads.

    A session reads data, status, responses and commands (the last to follow the
    stops and resets other clients send, PROTOCOL.md 12.3), and writes commands, ROIs
    and its heartbeat (to status).
    """

    @property
    def consumed(self) -> list[str]:
        return [self.data, self.status, self.responses, self.commands]
