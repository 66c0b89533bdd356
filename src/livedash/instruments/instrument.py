"""An instrument: its sources, workflows, ROI layout, grid templates and observed outputs.

The whole description is one frozen pydantic model, validated strictly when a data file
is read: unknown keys, dangling references (a view naming a missing output, a workflow of
another instrument, a grid cell naming a missing view) and inconsistent groups are errors.
``model_dump(mode="json", by_alias=True)`` gives back the data file's content.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from livedash.protocol.ids import WorkflowId
from livedash.protocol.topics import StreamKind, topic_for

from .errors import UnknownWorkflowError
from .grid import GridTemplate
from .outputs import ObservedOutput
from .workflows import WorkflowSpec

FORMAT_VERSION = 1
INSTRUMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceInfo(_Frozen):
    """A data source (detector, monitor or log) and how to show it.

    ``unit`` is the unit of a log (f144) source's values, ``None`` for other kinds.
    """

    title: str
    description: str
    kind: Literal["detector", "monitor", "log"]
    unit: str | None


class RoiGeometry(_Frozen):
    """One ROI geometry and the block of ROI indices it owns (rectangles 0-3, polygons 4-7)."""

    geometry_type: Literal["rectangle", "polygon"]
    num_rois: int = Field(ge=1)
    index_offset: int = Field(ge=0)
    readback_key: str

    @property
    def index_range(self) -> range:
        """The ROI indices of this geometry."""
        return range(self.index_offset, self.index_offset + self.num_rois)


class DetectorNumbers(_Frozen):
    """The backend's ``detector_number`` array of a detector, summarised (first/last id)."""

    dims: list[str]
    shape: list[int]
    unit: str | None
    dtype: str
    first: int
    last: int


class TimeseriesView(_Frozen):
    """A (workflow, source, view) whose values upstream offers as a time series."""

    workflow_id: WorkflowId
    source_name: str
    view_name: str

    @field_serializer("workflow_id")
    def _workflow_id_as_string(self, workflow_id: WorkflowId) -> str:
        return str(workflow_id)


class Instrument(_Frozen):
    """The description of one instrument, as read from ``<name>.json``.

    ``workflows`` is keyed by :class:`WorkflowId` in file order (a list in the file).
    ``observed_wire_outputs`` holds, per workflow and output, what the real backend
    emitted in captured samples: use it to cross-check templates, never as the spec.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    format_version: int
    name: str = Field(alias="instrument")
    topics: dict[str, str]
    sources: dict[str, SourceInfo]
    dim_titles: dict[str, str] = Field(default_factory=dict)
    roi_geometries: list[RoiGeometry] = Field(default_factory=list)
    detector_fakes_pixel_id_range: dict[str, tuple[int, int]] = Field(default_factory=dict)
    area_detector_fakes_shape: dict[str, tuple[int, int]] = Field(default_factory=dict)
    backend_detector_numbers: dict[str, DetectorNumbers | None] = Field(default_factory=dict)
    workflows: dict[WorkflowId, WorkflowSpec]
    timeseries_views: list[TimeseriesView] = Field(default_factory=list)
    grid_templates: list[GridTemplate] = Field(default_factory=list)
    observed_wire_outputs: dict[WorkflowId, dict[str, ObservedOutput]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _supported_format(cls, data: Any) -> Any:
        # Checked before anything else: a file of another format would otherwise drown
        # this one message in a flood of field errors.
        if isinstance(data, dict) and data.get("format_version") != FORMAT_VERSION:
            found = repr(data["format_version"]) if "format_version" in data else "missing"
            raise ValueError(
                f"format_version: {found} is not supported (this livedash reads {FORMAT_VERSION})"
            )
        return data

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not INSTRUMENT_NAME.match(value):
            raise ValueError(f"instrument name {value!r} is not [A-Za-z0-9][A-Za-z0-9_-]*")
        return value

    @field_validator("workflows", mode="before")
    @classmethod
    def _index_workflows_by_id(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        indexed: dict[str, Any] = {}
        for position, item in enumerate(value):
            key = _workflow_key(item, position)
            if key in indexed:
                raise ValueError(f"duplicate workflow id {key!r}")
            indexed[key] = item
        return indexed

    @field_serializer("workflows")
    def _workflows_as_list(self, workflows: dict[WorkflowId, WorkflowSpec]) -> list[WorkflowSpec]:
        return list(workflows.values())

    @field_serializer("observed_wire_outputs")
    def _observed_by_id_string(
        self, observed: dict[WorkflowId, dict[str, ObservedOutput]]
    ) -> dict[str, dict[str, ObservedOutput]]:
        return {str(workflow_id): outputs for workflow_id, outputs in observed.items()}

    @model_validator(mode="after")
    def _check_references(self) -> Instrument:
        problems = [
            *self._topic_problems(),
            *self._workflow_problems(),
            *self._reference_problems(),
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def workflow(self, workflow_id: WorkflowId | str) -> WorkflowSpec:
        """The spec of ``workflow_id`` (a WorkflowId or ``"inst/name/ver"``).

        Raises :class:`UnknownWorkflowError` (a ``KeyError``) naming the known ids.
        """
        key = workflow_id
        if isinstance(workflow_id, str):
            try:
                key = WorkflowId.model_validate(workflow_id)
            except ValueError:
                key = None
        spec = self.workflows.get(key) if isinstance(key, WorkflowId) else None
        if spec is None:
            known = ", ".join(str(wid) for wid in self.workflows)
            raise UnknownWorkflowError(
                f"instrument {self.name!r} has no workflow {str(workflow_id)!r} (known: {known})"
            )
        return spec

    def workflow_groups(self) -> dict[str, list[WorkflowSpec]]:
        """Workflows by group name; groups and workflows in file order."""
        groups: dict[str, list[WorkflowSpec]] = {}
        for spec in self.workflows.values():
            groups.setdefault(spec.group.name, []).append(spec)
        return groups

    def _topic_problems(self) -> list[str]:
        problems = []
        for kind in StreamKind:
            declared = self.topics.get(kind.value)
            if declared is not None and declared != topic_for(self.name, kind):
                problems.append(
                    f"topics.{kind.value}: {declared!r} breaks the naming rule "
                    f"(livedash uses {topic_for(self.name, kind)!r})"
                )
        return problems

    def _workflow_problems(self) -> list[str]:
        problems = []
        groups: dict[str, Any] = {}
        for key, spec in self.workflows.items():
            where = f"workflows.{key}"
            if spec.id != key:
                problems.append(f"{where}: keyed by {key} but its id is {spec.id}")
            if spec.id.instrument != self.name:
                problems.append(
                    f"{where}: workflow instrument {spec.id.instrument!r} differs from "
                    f"the file's instrument {self.name!r}"
                )
            problems.extend(
                f"{where}.source_names: unknown source {source!r}"
                for source in spec.source_names
                if source not in self.sources
            )
            first = groups.setdefault(spec.group.name, spec.group)
            if first != spec.group:
                problems.append(
                    f"{where}.group: group {spec.group.name!r} has a different title or "
                    "description than in an earlier workflow"
                )
        return problems

    def _reference_problems(self) -> list[str]:
        problems = []
        for mapping_name in (
            "detector_fakes_pixel_id_range",
            "area_detector_fakes_shape",
            "backend_detector_numbers",
        ):
            problems.extend(
                f"{mapping_name}: unknown source {source!r}"
                for source in getattr(self, mapping_name)
                if source not in self.sources
            )
        for position, geometry in enumerate(self.roi_geometries):
            for earlier in self.roi_geometries[:position]:
                shared = set(geometry.index_range) & set(earlier.index_range)
                if shared:
                    problems.append(
                        f"roi_geometries[{position}]: ROI indices {sorted(shared)} are "
                        f"already used by {earlier.geometry_type!r}"
                    )
        for position, ref in enumerate(self.timeseries_views):
            where = f"timeseries_views[{position}]"
            problems.extend(
                self._view_problems(where, ref.workflow_id, ref.view_name, [ref.source_name])
            )
        for position, template in enumerate(self.grid_templates):
            for source in template.data_sources():
                problems.extend(
                    self._view_problems(
                        f"grid_templates[{position}]",
                        source.workflow_id,
                        source.view_name,
                        source.source_names,
                    )
                )
        for workflow_id, outputs in self.observed_wire_outputs.items():
            where = f"observed_wire_outputs.{workflow_id}"
            spec = self.workflows.get(workflow_id)
            if spec is None:
                problems.append(f"{where}: unknown workflow")
                continue
            problems.extend(
                f"{where}: unknown output {name!r}" for name in outputs if name not in spec.outputs
            )
        return problems

    def _view_problems(
        self, where: str, workflow_id: WorkflowId, view_name: str, sources: list[str]
    ) -> list[str]:
        spec = self.workflows.get(workflow_id)
        if spec is None:
            return [f"{where}: unknown workflow {str(workflow_id)!r}"]
        problems = []
        if view_name not in {view.name for view in spec.output_views}:
            problems.append(f"{where}: workflow {spec.id} has no output view {view_name!r}")
        problems.extend(
            f"{where}: workflow {spec.id} has no source {source!r}"
            for source in sources
            if source not in spec.source_names
        )
        return problems


def _workflow_key(item: Any, position: int) -> str:
    raw = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
    if isinstance(raw, str):
        return raw
    if isinstance(raw, WorkflowId):
        return str(raw)
    if isinstance(raw, dict) and {"instrument", "name", "version"} <= raw.keys():
        return f"{raw['instrument']}/{raw['name']}/{raw['version']}"
    return f"#{position}"
