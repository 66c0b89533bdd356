import numpy as np
import pytest

from livedash.backend.rois import RoiState
from livedash.protocol.roi import PolygonROI, RectangleROI


def test_readback_echoes_rectangles_along_bounds():
    state = RoiState()
    state.update(
        "roi_rectangle",
        {
            1: RectangleROI(x_min=60, x_max=100, y_min=20, y_max=60),
            0: RectangleROI(x_min=10, x_max=50, y_min=40, y_max=90),
        },
    )
    readback = state.readback("roi_rectangle")
    assert readback.dims == ("bounds",)
    assert readback.coords["x"].values.tolist() == [10.0, 50.0, 60.0, 100.0]
    assert readback.coords["roi_index"].values.tolist() == [0, 0, 1, 1]
    assert readback.coords["x"].unit is None
    assert readback.dtype == "int32"


def test_readback_is_empty_when_no_roi_is_set():
    readback = RoiState().readback("roi_polygon")
    assert readback.dims == ("vertex",)
    assert readback.shape == (0,)


def test_empty_snapshot_clears_the_geometry():
    state = RoiState()
    state.update("roi_rectangle", {0: RectangleROI(x_min=0, x_max=1, y_min=0, y_max=1)})
    state.update("roi_rectangle", {})
    assert state.readback("roi_rectangle").shape == (0,)


def test_every_update_bumps_the_version():
    state = RoiState()
    state.update("roi_polygon", {})
    state.update("roi_polygon", {})
    assert state.version == 2


def test_rectangle_mask_is_inclusive_in_pixel_indices():
    state = RoiState()
    state.update("roi_rectangle", {2: RectangleROI(x_min=1, x_max=2, y_min=0, y_max=0)})
    mask = state.masks((3, 4))[2]
    assert mask.tolist() == [[False, True, True, False], [False] * 4, [False] * 4]


def test_polygon_mask_covers_the_inside_only():
    state = RoiState()
    state.update("roi_polygon", {4: PolygonROI(x=[0.5, 5.5, 5.5, 0.5], y=[0.5, 0.5, 5.5, 5.5])})
    mask = state.masks((8, 8))[4]
    assert mask.sum() == 25
    assert mask[3, 3]
    assert not mask[0, 0]


def test_masks_are_ordered_by_roi_index_across_geometries():
    state = RoiState()
    state.update("roi_polygon", {4: PolygonROI(x=[0, 3, 3], y=[0, 0, 3])})
    state.update("roi_rectangle", {1: RectangleROI(x_min=0, x_max=1, y_min=0, y_max=1)})
    assert list(state.masks((4, 4))) == [1, 4]
    assert all(isinstance(mask, np.ndarray) for mask in state.masks((4, 4)).values())


def test_roi_that_cannot_be_echoed_is_refused_and_state_kept():
    state = RoiState()
    kept = {0: RectangleROI(x_min=0, x_max=1, y_min=0, y_max=1)}
    state.update("roi_rectangle", kept)
    with pytest.raises(ValueError, match="int32"):
        state.update("roi_rectangle", {2**40: RectangleROI(x_min=0, x_max=1, y_min=0, y_max=1)})
    assert state.rois("roi_rectangle") == kept
