"""2-D and 3-D results (detector images, layered panels): an image, or a slice of a stack.

Images are ``values[y, x]`` with y the first dim and x the second, whatever their names
(the wire uses ``y, x``, ``dim_0, dim_1`` or ``roi, time_of_arrival``; PROTOCOL.md 12.1).
Values become float64; NaN (masked pixels) stays missing; on a log scale values <= 0
are missing too. Axes come from 1-D coords of the dims when present (bin edges or
points), else they count pixels; 2-D coords such as ``detector_number`` are ignored.
Colour limits are the params' manual limits, or the min/max of the finite values
(log: of the positive ones).

The slicer shows ``slice_index`` (clamped) along ``slice_dim`` (default: the outer dim)
and exposes the dim's length for a slider. Its automatic colour limits span the whole
volume, so stepping through the slices keeps one colour scale.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipp as sc

from ..model import PlotterKind, PlotterParams
from ..state import ImageState, PlotState, SliceInfo, frozen
from .common import Inputs, as_float, auto_limits, axis_for, mask_non_positive, unit_text
from .common import value_label as label_of


def _limits(values: np.ndarray, params: PlotterParams) -> tuple[float, float] | None:
    limits = params.color_limits
    if limits.mode == "manual" and limits.low is not None and limits.high is not None:
        return limits.low, limits.high
    return auto_limits(values, log=params.scale == "log")


def _image_values(data: sc.DataArray, params: PlotterParams) -> np.ndarray:
    values = as_float(data.values)
    return mask_non_positive(values) if params.scale == "log" else values


def image_state(
    data: sc.DataArray,
    params: PlotterParams,
    dim_titles: Mapping[str, str],
    *,
    values: np.ndarray | None = None,
    limits_from: np.ndarray | None = None,
    slice_info: SliceInfo | None = None,
    kind: PlotterKind = PlotterKind.IMAGE,
) -> ImageState:
    """The image state of 2-D ``data`` (``values``: its prepared values, if at hand)."""
    y_dim, x_dim = data.dims
    shown = _image_values(data, params) if values is None else values
    return ImageState(
        title=data.name,
        values=frozen(shown),
        x=axis_for(data, x_dim, dim_titles),
        y=axis_for(data, y_dim, dim_titles),
        color_limits=_limits(shown if limits_from is None else limits_from, params),
        log=params.scale == "log",
        colormap=params.colormap,
        unit=unit_text(data.unit),
        value_label=label_of(data),
        x_range=params.x_range,
        y_range=params.y_range,
        slice=slice_info,
        kind=kind,
    )


class ImagePlotter:
    """Draws the ``primary`` role's 2-D data."""

    kind = PlotterKind.IMAGE

    def __init__(self, *, dim_titles: Mapping[str, str] | None = None) -> None:
        self._dim_titles = dict(dim_titles or {})

    def accepts(self, inputs: Inputs) -> bool:
        primary = inputs.get("primary")
        return primary is not None and primary.ndim == 2

    def compute(
        self, inputs: Inputs, params: PlotterParams, previous: PlotState | None
    ) -> ImageState:
        return image_state(inputs["primary"], params, self._dim_titles)


class SlicerPlotter:
    """Draws one 2-D slice of the ``primary`` role's 3-D data."""

    kind = PlotterKind.SLICER

    def __init__(self, *, dim_titles: Mapping[str, str] | None = None) -> None:
        self._dim_titles = dict(dim_titles or {})

    def accepts(self, inputs: Inputs) -> bool:
        primary = inputs.get("primary")
        return primary is not None and primary.ndim == 3

    def compute(
        self, inputs: Inputs, params: PlotterParams, previous: PlotState | None
    ) -> ImageState:
        data = inputs["primary"]
        dim = params.slice_dim if params.slice_dim in data.dims else data.dims[0]
        count = data.sizes[dim]
        if count == 0:
            raise ValueError(f"cannot slice: dim {dim!r} of the data is empty")
        index = min(params.slice_index, count - 1)
        volume = _image_values(data, params)
        axis = data.dims.index(dim)
        plane = data[dim, index]
        info = SliceInfo(dim=dim, index=index, count=count, label=self._label(data, dim, index))
        return image_state(
            plane,
            params,
            self._dim_titles,
            values=np.take(volume, index, axis=axis),
            limits_from=volume,
            slice_info=info,
            kind=PlotterKind.SLICER,
        )

    def _label(self, data: sc.DataArray, dim: str, index: int) -> str:
        title = self._dim_titles.get(dim, dim)
        coord = data.coords.get(dim)
        if coord is None or coord.dims != (dim,) or coord.shape[0] != data.sizes[dim]:
            return f"{title} {index}"
        value = coord[dim, index]
        unit = "" if value.unit in (None, sc.units.dimensionless) else f" {value.unit}"
        return f"{title} = {value.value}{unit}"
