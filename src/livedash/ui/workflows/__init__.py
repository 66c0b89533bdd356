"""The Workflows tab: start, stop, reset and watch the instrument's workflows."""

from .card import WorkflowCard
from .protocols import JobsReader, WorkflowCommands
from .view import WorkflowControlView

__all__ = ["JobsReader", "WorkflowCard", "WorkflowCommands", "WorkflowControlView"]
