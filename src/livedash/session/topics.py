"""The topics one session reads and writes, derived from the instrument name."""

from __future__ import annotations

from ..kafka.positions import Start
from ..protocol.topics import LivedataTopics


class SessionTopics(LivedataTopics):
    """Every livedata topic, plus which of them a session reads and from where.

    A session reads data and status from the last few seconds ("recent", ADR 0012), so a new tab
    draws the latest result of every running job and knows every job and service at once;
    responses and commands (the last to follow the stops and resets other clients send,
    PROTOCOL.md 12.3) from their high watermark, since an old command or acknowledgement is
    not news; and the shared configuration topic (ADR 0007) from the beginning, since that
    topic *is* the configuration. It writes commands, ROIs, its heartbeat (to status) and
    configuration documents.
    """

    @property
    def consumed(self) -> list[str]:
        return [self.data, self.status, self.responses, self.commands, self.livedash_config]

    @property
    def start_positions(self) -> dict[str, Start]:
        """Where the session consumer starts each topic it reads."""
        return {
            self.data: "recent",
            self.status: "recent",
            self.responses: "end",
            self.commands: "end",
            self.livedash_config: "beginning",
        }

    @property
    def read_first(self) -> list[str]:
        """Topics whose history comes before the rest: the layout says which results
        this session wants and the job heartbeats which generation is current, so the
        recent results read at the start are kept, not dropped."""
        return [self.livedash_config, self.status]
