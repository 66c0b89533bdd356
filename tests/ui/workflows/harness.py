"""A real session stack on an in-memory broker, a fake backend, and helpers to drive views.

``World.settle()`` lets commands, acknowledgements and heartbeats flow one explicit step
at a time (no threads): the fake backend answers and beats, the injected clocks move,
and the session's pump routes everything it received.
"""

from __future__ import annotations

import uuid
from typing import Any

import panel as pn

from livedash.instruments import Instrument
from livedash.protocol.commands import JobCommand, WorkflowConfig, decode_command
from livedash.protocol.ids import WorkflowId
from livedash.session.lifecycle import StackState
from livedash.session.stack import SessionStack
from livedash.session.topics import SessionTopics
from livedash.session.transport import memory_transport_factory
from livedash.ui.workflows import WorkflowCard, WorkflowControlView
from tests.session.fakes import FakeBackend, FakeClock, FakeWallClock, memory_broker

TOPICS = SessionTopics.for_instrument("dummy")
WORKER_ID = str(uuid.uuid4())


class World:
    """One broker, one fake backend, and the session stacks of the test."""

    def __init__(self, dummy: Instrument, clock: FakeClock, wall: FakeWallClock) -> None:
        self.dummy, self.clock, self.wall = dummy, clock, wall
        self.broker = memory_broker()
        self.backend = FakeBackend(self.broker, dummy, wall)
        self.stacks: list[SessionStack] = []

    def session(self) -> SessionStack:
        stack = SessionStack(
            transport_factory=memory_transport_factory(self.broker),
            instrument=self.dummy,
            worker_id=WORKER_ID,
            clock=self.clock,
            wall_ns=self.wall,
        )
        self.stacks.append(stack)
        return stack

    def view(
        self, stack: SessionStack, *, jobs: Any = None, orchestrator: Any = None
    ) -> WorkflowControlView:
        return WorkflowControlView(
            instrument=self.dummy,
            jobs=stack.jobs if jobs is None else jobs,
            orchestrator=stack.orchestrator if orchestrator is None else orchestrator,
            clock=self.clock,
        )

    def settle(self, rounds: int = 2, *, advance_s: float = 0.3) -> None:
        for _ in range(rounds):
            self.backend.process()
            self.backend.beat()
            self.clock.advance(advance_s)
            self.wall.advance(advance_s)
            for stack in self.stacks:
                if stack.state is StackState.CLOSED:
                    continue
                while stack.pump.run_once():
                    pass

    def commands(self) -> list[WorkflowConfig | JobCommand]:
        return [decode_command(m.value) for m in self.broker.messages(TOPICS.commands)]

    def configs(self) -> list[WorkflowConfig]:
        return [c for c in self.commands() if isinstance(c, WorkflowConfig)]

    def job_commands(self) -> list[JobCommand]:
        return [c for c in self.commands() if isinstance(c, JobCommand)]

    def set_jobs(self, workflow_id: WorkflowId, **update: Any) -> None:
        """Change what the backend reports for every job of ``workflow_id``."""
        for job_id, status in list(self.backend.jobs.items()):
            if status.workflow_id == workflow_id:
                self.backend.jobs[job_id] = status.model_copy(update=update)

    def close(self) -> None:
        for stack in self.stacks:
            stack.close()


def click(button: pn.widgets.Button) -> None:
    """What a browser click does: bump ``clicks``, which runs the on_click callbacks."""
    button.clicks += 1


def badge_text(card: WorkflowCard) -> str:
    return card.header.object


def record_events(root: pn.viewable.Viewable) -> list[str]:
    """Watch every parameter of every object under ``root``; the names of what changed."""
    events: list[str] = []

    def recorder(owner: str):
        return lambda event: events.append(f"{owner}.{event.name}")

    for obj in root.select():
        names = [name for name in obj.param if name != "name"]
        obj.param.watch(recorder(type(obj).__name__), names)
    return events
