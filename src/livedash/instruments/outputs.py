"""What a workflow publishes: output fields, their templates, and the views that pair them.

An *output* is one wire result (one ``output_name`` of a ``ResultKey``). Its *template* is
the empty DataArray the upstream spec declares; it is a hint for choosing a plotter before
data arrives, not a description of the wire (PROTOCOL.md 12.1): templates use placeholder
dims such as ``dim_0`` and sometimes other dtypes and units. What the backend really sent
is recorded separately, as :class:`ObservedOutput`.

An *output view* is the user-facing unit: it bundles a cumulative and a window output
of the same quantity, and ``field_for`` names the output to show for each windowing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

Temporality = Literal["cumulative", "window", "series"]
Windowing = Literal["since_start", "per_update"]

# How upstream derives an output's windowing from its temporality.
WINDOWING_OF: dict[str, str] = {
    "cumulative": "since_start",
    "window": "per_update",
    "series": "per_update",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CoordTemplate(_Frozen):
    """Shape, unit and dtype of one coordinate; ``unit`` ``None`` means unit-less."""

    dims: list[str]
    shape: list[int]
    unit: str | None
    dtype: str

    @model_validator(mode="after")
    def _dims_match_shape(self) -> CoordTemplate:
        _check_dims_shape(self.dims, self.shape)
        return self


class OutputTemplate(_Frozen):
    """The empty DataArray an output's spec declares (placeholder dims, zero-length shape)."""

    dims: list[str]
    shape: list[int]
    unit: str | None
    dtype: str
    ndim: int
    has_variances: bool
    coords: dict[str, CoordTemplate]

    @model_validator(mode="after")
    def _ndim_matches_dims(self) -> OutputTemplate:
        _check_dims_shape(self.dims, self.shape)
        if self.ndim != len(self.dims):
            raise ValueError(f"ndim {self.ndim} but {len(self.dims)} dims {self.dims}")
        return self


class OutputSpec(_Frozen):
    """One wire output of a workflow.

    ``temporality`` says what one message holds: ``cumulative`` (everything since the
    job started or was reset), ``window`` (the latest update interval) or ``series``
    (only the new samples of a time series, which the reader accumulates).
    """

    name: str
    title: str
    description: str
    temporality: Temporality
    windowing: Windowing
    template: OutputTemplate

    @model_validator(mode="after")
    def _windowing_follows_temporality(self) -> OutputSpec:
        expected = WINDOWING_OF[self.temporality]
        if self.windowing != expected:
            raise ValueError(
                f"output {self.name!r}: windowing {self.windowing!r} does not match "
                f"temporality {self.temporality!r} (expected {expected!r})"
            )
        return self


class OutputView(_Frozen):
    """A user-facing view over one or more outputs of the same workflow.

    ``fields`` are the member outputs; ``field_for`` maps a windowing (``since_start``,
    ``per_update``) to the member output to show for it. ``params`` names the workflow
    parameters that shape this view, exactly as upstream declares them: the list can
    name parameters the workflow's params model does not have (a monitor histogram lists
    ``wavelength_edges``), so intersect it with the model's fields before building a
    form. ``param_titles`` are the titles of the listed parameters the model does have.
    ``windowing_options`` lists the windowings a user may choose, ``None`` if undeclared.
    """

    name: str
    title: str
    description: str
    fields: list[str]
    params: list[str]
    param_titles: list[str]
    field_for: dict[Windowing, str]
    windowing_options: list[Windowing] | None

    @model_validator(mode="after")
    def _field_for_names_members(self) -> OutputView:
        if not self.fields:
            raise ValueError(f"view {self.name!r} has no fields")
        for windowing, field in self.field_for.items():
            if field not in self.fields:
                raise ValueError(
                    f"view {self.name!r}: field_for[{windowing!r}] = {field!r} "
                    f"is not one of its fields {self.fields}"
                )
        return self


class ObservedOutput(_Frozen):
    """An output as the real backend emitted it, after da00 decoding.

    Taken from one captured sample, so data-dependent lengths (number of ROIs, number
    of new time-series samples) are examples, not constants. ``label`` is the da00
    ``signal`` label, i.e. the decoded DataArray's name.
    """

    label: str
    dims: list[str]
    shape: list[int]
    unit: str | None
    dtype: str
    has_errors_variable: bool
    coords: dict[str, CoordTemplate]

    @model_validator(mode="after")
    def _dims_match_shape(self) -> ObservedOutput:
        _check_dims_shape(self.dims, self.shape)
        return self


def _check_dims_shape(dims: list[str], shape: list[int]) -> None:
    if len(dims) != len(shape):
        raise ValueError(f"dims {dims} and shape {shape} differ in length")
    if len(set(dims)) != len(dims):
        raise ValueError(f"dims {dims} repeat a dim")
    if any(size < 0 for size in shape):
        raise ValueError(f"shape {shape} has a negative size")
