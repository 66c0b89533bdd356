"""ROI requests and readbacks (PROTOCOL.md 7)."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import scipp as sc
from streaming_data_types.dataarray_da00 import deserialise_da00

from livedash.protocol.da00 import decode_da00, encode_da00
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId
from livedash.protocol.roi import (
    DEFAULT_INDICES,
    PolygonROI,
    RectangleROI,
    data_array_to_rois,
    decode_roi_request,
    encode_roi_request,
    parse_roi_stream_name,
    roi_stream_name,
    rois_to_data_array,
)

JOB_ID = JobId(source_name="panel_0", job_number=uuid.UUID("dab0a4d0-0000-4000-8000-000000000001"))
RECT = RectangleROI(x_min=10.0, x_max=50.0, y_min=40.0, y_max=90.0)
POLY = PolygonROI(x=[20.0, 80.0, 60.0], y=[50.0, 55.0, 110.0])


def test_stream_name_is_source_job_number_geometry():
    name = roi_stream_name(JOB_ID, "roi_polygon")
    assert name == "panel_0/dab0a4d0-0000-4000-8000-000000000001/roi_polygon"
    assert parse_roi_stream_name(name) == (JOB_ID, "roi_polygon")


def test_stream_name_parses_a_source_containing_slashes():
    job_id = JobId(source_name="a/b", job_number=JOB_ID.job_number)
    assert parse_roi_stream_name(roi_stream_name(job_id, "roi_rectangle"))[0] == job_id


@pytest.mark.parametrize(
    "name",
    [
        "panel_0/roi_rectangle",
        "panel_0/not-a-uuid/roi_rectangle",
        "panel_0/dab0a4d0-0000-4000-8000-000000000001/roi_circle",
        "/dab0a4d0-0000-4000-8000-000000000001/roi_rectangle",
    ],
)
def test_malformed_stream_names_are_rejected(name):
    with pytest.raises(DecodeError):
        parse_roi_stream_name(name)


def test_a_request_needs_a_job_id():
    with pytest.raises(ValueError, match="JobId"):
        encode_roi_request(str(JOB_ID), "roi_rectangle", {})


def test_decoded_rois_keep_their_wire_order():
    rois = {7: POLY, 4: POLY}
    assert list(decode_roi_request(encode_roi_request(JOB_ID, "roi_polygon", rois))[2]) == [7, 4]


def test_unknown_geometry_cannot_be_encoded():
    with pytest.raises(ValueError, match="geometry"):
        roi_stream_name(JOB_ID, "roi_circle")


def test_rectangles_lie_along_bounds_two_entries_each_in_mapping_order():
    da = rois_to_data_array("roi_rectangle", {1: RECT, 0: RECT})
    assert da.dims == ("bounds",)
    assert da.coords["roi_index"].values.tolist() == [1, 1, 0, 0]
    assert da.coords["x"].values.tolist() == [10.0, 50.0, 10.0, 50.0]
    assert da.dtype == sc.DType.int32
    assert da.unit == "dimensionless"
    assert da.coords["x"].unit is None


def test_request_is_sent_with_timestamp_zero_and_an_empty_label():
    raw = deserialise_da00(encode_roi_request(JOB_ID, "roi_rectangle", {0: RECT}))
    assert raw.timestamp_ns == 0
    assert raw.data[0].label == ""
    assert [v.name for v in raw.data] == ["signal", "x", "y", "roi_index"]


@pytest.mark.parametrize(
    ("geometry", "rois"),
    [
        ("roi_rectangle", {3: RECT, 0: RECT.model_copy(update={"x_unit": None, "y_min": -1.0})}),
        ("roi_polygon", {4: POLY, 7: PolygonROI(x=[0.0, 1.0, 1.0, 0.0], y=[0.0, 0.0, 1.0, 1.0])}),
        ("roi_rectangle", {}),
        ("roi_polygon", {}),
    ],
)
def test_requests_round_trip_byte_for_byte(geometry, rois):
    buf = encode_roi_request(JOB_ID, geometry, rois)
    assert decode_roi_request(buf) == (JOB_ID, geometry, rois)
    assert encode_roi_request(*decode_roi_request(buf)) == buf


def test_an_empty_request_has_zero_length_arrays():
    da = decode_da00(encode_roi_request(JOB_ID, "roi_polygon", {})).data
    assert da.sizes == {"vertex": 0}
    assert set(da.coords) == {"x", "y", "roi_index"}


def test_units_travel_on_the_coords():
    rois = {0: RectangleROI(x_min=0, x_max=1, y_min=0, y_max=2, x_unit="m", y_unit="mm")}
    assert decode_roi_request(encode_roi_request(JOB_ID, "roi_rectangle", rois))[2] == rois


def test_mixed_units_in_one_geometry_are_refused():
    rois = {0: RECT, 1: RECT.model_copy(update={"x_unit": "m"})}
    with pytest.raises(ValueError, match="units"):
        rois_to_data_array("roi_rectangle", rois)


def test_a_polygon_in_a_rectangle_request_is_refused():
    with pytest.raises(ValueError, match="RectangleROI"):
        rois_to_data_array("roi_rectangle", {0: POLY})


@pytest.mark.parametrize("index", [-1, 2**31, True, "0"])
def test_roi_indices_must_be_int32(index):
    with pytest.raises(ValueError, match="index"):
        rois_to_data_array("roi_rectangle", {index: RECT})


def test_polygon_needs_paired_vertices():
    with pytest.raises(ValueError, match="as many x as y"):
        PolygonROI(x=[1.0, 2.0], y=[1.0])


def test_default_index_ranges_match_the_backend():
    assert list(DEFAULT_INDICES["roi_rectangle"]) == [0, 1, 2, 3]
    assert list(DEFAULT_INDICES["roi_polygon"]) == [4, 5, 6, 7]


def test_a_request_whose_data_disagrees_with_its_name_is_rejected():
    da = rois_to_data_array("roi_polygon", {4: POLY})
    buf = encode_da00(da, source_name=roi_stream_name(JOB_ID, "roi_rectangle"), timestamp_ns=0)
    with pytest.raises(DecodeError, match="roi_rectangle"):
        decode_roi_request(buf)


def test_a_rectangle_with_three_bounds_is_rejected():
    da = rois_to_data_array("roi_polygon", {0: POLY}).rename_dims(vertex="bounds")
    with pytest.raises(DecodeError, match="3 bounds"):
        data_array_to_rois(da)


def test_data_along_another_dim_is_not_roi_data():
    with pytest.raises(DecodeError, match="dims"):
        data_array_to_rois(sc.DataArray(sc.ones(dims=["x"], shape=[2])))


def test_roi_data_without_its_coords_is_rejected():
    da = rois_to_data_array("roi_rectangle", {0: RECT})
    del da.coords["roi_index"]
    with pytest.raises(DecodeError, match="roi_index"):
        data_array_to_rois(da)


def test_readback_with_time_coords_decodes_to_the_same_rois():
    da = rois_to_data_array("roi_polygon", {5: POLY})
    da.coords["time"] = sc.scalar(1, unit="ns")
    da.coords["roi_index"] = da.coords["roi_index"].astype("int64")
    assert data_array_to_rois(da) == {5: POLY}


def test_nan_coordinates_are_data():
    rois = {0: RectangleROI(x_min=np.nan, x_max=1.0, y_min=0.0, y_max=1.0)}
    decoded = decode_roi_request(encode_roi_request(JOB_ID, "roi_rectangle", rois))[2]
    assert np.isnan(decoded[0].x_min)
