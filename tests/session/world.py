"""Sessions on one in-memory broker with a fake backend, driven step by step."""

from __future__ import annotations

import uuid
from typing import Any

from livedash.instruments import Instrument
from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.commands import JobCommand, decode_command
from livedash.session.lifecycle import StackState
from livedash.session.stack import SessionStack
from livedash.session.topics import SessionTopics
from livedash.session.transport import memory_transport_factory
from livedash.store.envelope import decode_record

from .fakes import FakeBackend, FakeClock, FakeWallClock, memory_broker

TOPICS = SessionTopics.for_instrument("dummy")
WORKER_ID = str(uuid.uuid4())


class World:
    """One in-memory broker, a fake backend and sessions driven step by step."""

    def __init__(
        self,
        dummy: Instrument,
        clock: FakeClock,
        wall: FakeWallClock,
        broker: InMemoryBroker | None = None,
    ) -> None:
        self.broker: InMemoryBroker = broker or memory_broker()
        self.dummy, self.clock, self.wall = dummy, clock, wall
        self.backend = FakeBackend(self.broker, dummy, wall)
        self.stacks: list[SessionStack] = []

    def session(self, **kwargs: Any) -> SessionStack:
        """A new session (not started: :meth:`settle` drives its pump)."""
        stack = SessionStack(
            transport_factory=memory_transport_factory(self.broker),
            instrument=self.dummy,
            worker_id=WORKER_ID,
            clock=self.clock,
            wall_ns=self.wall,
            **kwargs,
        )
        self.stacks.append(stack)
        return stack

    def settle(self, rounds: int = 3) -> None:
        """Let commands, acks and heartbeats flow; every round runs the tickers once."""
        for _ in range(rounds):
            self.backend.process()
            self.backend.beat()
            self.clock.advance(0.3)
            for stack in self.stacks:
                if stack.state is StackState.CLOSED:
                    continue
                while stack.pump.run_once():
                    pass

    def drain(self, stack: SessionStack) -> None:
        """Route everything that reached ``stack`` so far, without moving the clock."""
        while stack.pump.run_once():
            pass

    def job_commands(self) -> list[JobCommand]:
        commands = [decode_command(m.value) for m in self.broker.messages(TOPICS.commands)]
        return [c for c in commands if isinstance(c, JobCommand)]

    def config_docs_written_by(self, writer: str) -> list[str]:
        """The ids of the configuration documents ``writer`` published, in log order."""
        records = (
            decode_record(m.key, m.value) for m in self.broker.messages(TOPICS.livedash_config)
        )
        return [r.doc for r in records if r.writer == writer]

    def close(self) -> None:
        for stack in self.stacks:
            stack.close()
