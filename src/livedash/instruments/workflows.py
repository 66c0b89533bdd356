"""A workflow spec: what the dashboard can start, for which sources, with which params.

Mirrors upstream ``config/workflow_spec.py::WorkflowSpec`` as data (PROTOCOL.md 6). The
backend knows a workflow only by its :class:`~livedash.protocol.ids.WorkflowId`, its
source names, its params payload and its output names, so these must match the backend
exactly.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_serializer, field_validator, model_validator

from livedash.protocol.ids import WorkflowId

from .outputs import OutputSpec, OutputView
from .params import ParamsSpec


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkflowGroup(_Frozen):
    """A family of workflows (``detector_data``, ``monitor_data``, ...) shown together."""

    name: str
    title: str
    description: str


class AuxInput(_Frozen):
    """One auxiliary input role of a workflow (e.g. the ROI stream of a detector view).

    The ``WorkflowConfig`` command maps each role to one of ``choices`` in its
    ``aux_source_names``. For detector views the backend does not use the chosen names:
    it always reads ``{source}/{job_number}/roi_rectangle|roi_polygon`` (PROTOCOL.md 3.4).
    """

    choices: list[str]
    default: str
    title: str
    description: str

    @model_validator(mode="after")
    def _default_is_a_choice(self) -> AuxInput:
        if self.default not in self.choices:
            raise ValueError(f"default {self.default!r} is not one of choices {self.choices}")
        return self


class WorkflowSpec(_Frozen):
    """Everything livedash knows about one workflow.

    ``service`` is the backend service that runs it (the group name, for every upstream
    workflow so far). ``outputs`` is keyed by output name in file order; in the data
    file it is a list of objects that carry their own ``name``. ``device_outputs`` maps
    an output to the NICOS device name template (``{source_name}_counts_total``) under
    which the backend republishes it on ``{instrument}_livedata_nicos_data``.
    """

    id: WorkflowId
    service: str
    group: WorkflowGroup
    title: str
    description: str
    source_names: list[str]
    aux_sources: dict[str, AuxInput] | None
    reset_on_run_transition: bool
    supports_reset: bool
    params: ParamsSpec
    outputs: dict[str, OutputSpec]
    output_views: list[OutputView]
    device_outputs: dict[str, str]

    @field_validator("outputs", mode="before")
    @classmethod
    def _index_outputs_by_name(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        indexed: dict[Any, Any] = {}
        for position, item in enumerate(value):
            name = item.get("name") if isinstance(item, dict) else getattr(item, "name", None)
            key = name if isinstance(name, str) else f"#{position}"
            if key in indexed:
                raise ValueError(f"duplicate output name {key!r}")
            indexed[key] = item
        return indexed

    @field_serializer("outputs")
    def _outputs_as_list(self, outputs: dict[str, OutputSpec]) -> list[OutputSpec]:
        return list(outputs.values())

    @field_serializer("id")
    def _id_as_string(self, workflow_id: WorkflowId) -> str:
        return str(workflow_id)

    @model_validator(mode="after")
    def _check_references(self) -> WorkflowSpec:
        problems: list[str] = []
        if not self.source_names:
            problems.append("source_names: empty")
        if len(set(self.source_names)) != len(self.source_names):
            problems.append(f"source_names: {self.source_names} repeat a name")
        for key, output in self.outputs.items():
            if key != output.name:
                problems.append(f"outputs.{key}: holds the output named {output.name!r}")
        seen_views: set[str] = set()
        for view in self.output_views:
            if view.name in seen_views:
                problems.append(f"output_views: duplicate view name {view.name!r}")
            seen_views.add(view.name)
            problems.extend(
                f"output_views[{view.name}].fields: unknown output {field!r}"
                for field in view.fields
                if field not in self.outputs
            )
        problems.extend(
            f"device_outputs: unknown output {field!r}"
            for field in self.device_outputs
            if field not in self.outputs
        )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def default_aux_source_names(self) -> dict[str, str]:
        """The ``aux_source_names`` of a ``WorkflowConfig`` that keeps every role's default."""
        return {role: aux.default for role, aux in (self.aux_sources or {}).items()}

    def output_view(self, name: str) -> OutputView:
        """The output view called ``name``; ``KeyError`` naming the known views if absent."""
        for view in self.output_views:
            if view.name == name:
                return view
        known = ", ".join(view.name for view in self.output_views)
        raise KeyError(f"workflow {self.id} has no output view {name!r} (views: {known})")
