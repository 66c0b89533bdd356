"""The topics one session reads and writes, derived from the instrument name."""

from __future__ import annotations

from typing import Literal

from ..protocol.topics import LivedataTopics

Start = Literal["end", "beginning"]


class SessionTopics(LivedataTopics):
    """Every livedata topic, plus which of them a session reads and from where.

    A session reads data, status, responses and commands (the last to follow the
    stops and resets other clients send, PROTOCOL.md 12.3) from their high watermark,
    and the shared configuration topic (ADR 0007) from the beginning, since that topic
    *is* the configuration. It writes commands, ROIs, its heartbeat (to status) and
    configuration documents.
    """

    @property
    def consumed(self) -> list[str]:
        return [self.data, self.status, self.responses, self.commands, self.livedash_config]

    @property
    def start_positions(self) -> dict[str, Start]:
        """Where the session consumer starts each topic it reads."""
        return dict.fromkeys(self.consumed, "end") | {self.livedash_config: "beginning"}
