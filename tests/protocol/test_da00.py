"""da00 <-> scipp: round trips of every data shape the backend sends (PROTOCOL.md 2.3-2.5)."""

from __future__ import annotations

import numpy as np
import pytest
import scipp as sc
from streaming_data_types.dataarray_da00 import Variable, deserialise_da00, serialise_da00

from livedash.protocol import da00 as da00_module
from livedash.protocol.da00 import (
    Da00Message,
    decode_da00,
    encode_da00,
    message_time_ns,
    peek_source_name,
)
from livedash.protocol.errors import DecodeError

T0 = 1_763_712_000_000_000_123  # > 2**53: must survive as an exact int


def _round_trip(da: sc.DataArray, *, source_name: str = "src", timestamp_ns: int = T0):
    return decode_da00(encode_da00(da, source_name=source_name, timestamp_ns=timestamp_ns))


def _raw(da: sc.DataArray) -> dict[str, Variable]:
    buf = encode_da00(da, source_name="src", timestamp_ns=0)
    return {var.name: var for var in deserialise_da00(buf).data}


def _time_coords(da: sc.DataArray) -> sc.DataArray:
    da.coords["start_time"] = sc.scalar(T0, unit="ns")
    da.coords["time"] = sc.scalar(T0 + 1_000_000_000, unit="ns")
    return da


def test_source_name_and_timestamp_round_trip_exactly():
    msg = _round_trip(sc.DataArray(sc.scalar(1.0)), source_name="a/b:c", timestamp_ns=T0)
    assert (msg.source_name, msg.timestamp_ns) == ("a/b:c", T0)


def test_layered_3d_image_round_trips():
    values = np.random.default_rng(0).random((4, 32, 128))
    da = sc.DataArray(
        sc.array(dims=["layer", "y", "x"], values=values, unit="counts"),
        coords={
            "detector_number": sc.array(
                dims=["layer", "y", "x"], values=np.arange(values.size).reshape(values.shape),
                unit=None,
            )
        },
        name="Image",
    )  # fmt: skip
    da = _time_coords(da)
    msg = _round_trip(da)
    assert sc.identical(msg.data, da)
    assert msg.data.dims == ("layer", "y", "x")


def test_zero_d_int64_total_round_trips_with_int_time_coords():
    da = _time_coords(sc.DataArray(sc.scalar(21000, unit="counts"), name="Total"))
    msg = _round_trip(da)
    assert sc.identical(msg.data, da)
    assert msg.data.coords["start_time"].value == T0
    assert msg.data.coords["start_time"].dtype == sc.DType.int64


def test_zero_d_values_travel_with_an_empty_shape():
    raw = _raw(sc.DataArray(sc.scalar(2.5)))
    assert tuple(raw["signal"].shape) == ()


def test_datetime64_time_axis_travels_as_int64_offsets_and_comes_back():
    times = sc.datetime(T0, unit="ns") + sc.array(dims=["time"], values=[0, 5, 9], unit="ns")
    da = sc.DataArray(
        sc.array(dims=["time"], values=[1.0, 2.0, 3.0], unit="mm"), coords={"time": times}
    )
    raw = _raw(da)
    assert raw["time"].unit == "datetime64[ns]"
    assert list(raw["time"].data) == [T0, T0 + 5, T0 + 9]
    msg = _round_trip(da)
    assert msg.data.coords["time"].dtype == sc.DType.datetime64
    assert sc.identical(msg.data, da)


def test_variances_travel_as_errors_stddevs_and_come_back_as_variances():
    da = sc.DataArray(
        sc.array(dims=["toa"], values=[1.0, 4.0], variances=[4.0, 9.0], unit="counts"),
        name="Histogram",
    )
    raw = _raw(da)
    np.testing.assert_array_equal(raw["errors"].data, [2.0, 3.0])
    assert raw["errors"].label is None
    assert raw["signal"].label == "Histogram"
    msg = _round_trip(da)
    assert sc.identical(msg.data, da)


def test_masked_int_data_becomes_float64_with_nan_and_no_masks():
    da = sc.DataArray(
        sc.array(dims=["y", "x"], values=[[1, 2], [3, 4]], unit="counts"),
        masks={"edge": sc.array(dims=["x"], values=[True, False])},
    )
    msg = _round_trip(da)
    assert msg.data.dtype == sc.DType.float64
    assert not msg.data.masks
    np.testing.assert_array_equal(msg.data.values, [[np.nan, 2.0], [np.nan, 4.0]])
    assert da.dtype == sc.DType.int64  # the caller's data is left alone


def test_masks_set_errors_to_nan_too():
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1.0, 2.0], variances=[1.0, 1.0]),
        masks={"m": sc.array(dims=["x"], values=[False, True])},
    )
    raw = _raw(da)
    assert np.isnan(raw["errors"].data[1])
    assert not np.isnan(raw["errors"].data[0])


def test_empty_arrays_round_trip():
    da = sc.DataArray(
        sc.zeros(dims=["bounds"], shape=[0], dtype="int32"),
        coords={"x": sc.zeros(dims=["bounds"], shape=[0], unit=None)},
    )
    msg = _round_trip(da)
    assert msg.data.shape == (0,)
    assert sc.identical(msg.data, da)


def test_bin_edge_coords_round_trip_as_n_plus_one():
    edges = sc.linspace("toa", 0.0, 71.43, num=101, unit="ms")
    da = sc.DataArray(sc.ones(dims=["roi", "toa"], shape=[3, 100]), coords={"toa": edges})
    msg = _round_trip(da)
    assert msg.data.coords["toa"].sizes == {"toa": 101}
    assert msg.data.coords.is_edges("toa")


def test_unitless_and_unnamed_data_round_trip():
    da = sc.DataArray(sc.array(dims=["x"], values=[1.0], unit=None))
    raw = _raw(da)
    assert raw["signal"].unit is None
    assert raw["signal"].label == ""
    msg = _round_trip(da)
    assert msg.data.unit is None
    assert msg.data.name == ""


def test_float32_and_nan_inf_values_are_data():
    da = sc.DataArray(
        sc.array(dims=["x"], values=np.array([np.nan, np.inf, -np.inf], dtype=np.float32))
    )
    msg = _round_trip(da)
    assert msg.data.dtype == sc.DType.float32
    assert sc.identical(msg.data, da, equal_nan=True)


def test_transposed_data_keeps_its_dim_order():
    base = sc.array(dims=["y", "x"], values=np.arange(6.0).reshape(2, 3))
    da = sc.DataArray(base.transpose(["x", "y"]).copy())
    msg = _round_trip(da)
    assert msg.data.dims == ("x", "y")
    assert sc.identical(msg.data, da)


def test_vector_coords_are_not_sent():
    da = sc.DataArray(
        sc.ones(dims=["x"], shape=[2]),
        coords={"position": sc.vectors(dims=["x"], values=[[1, 2, 3], [4, 5, 6]], unit="m")},
    )
    assert "position" not in _raw(da)


def test_coords_outside_the_signal_dims_are_dropped_and_listed():
    buf = serialise_da00(
        "src",
        0,
        [
            Variable(name="signal", data=np.ones(2), axes=["x"]),
            Variable(name="other", data=np.ones(3), axes=["z"]),
            Variable(name="x", data=np.arange(2.0), axes=["x"]),
        ],
    )
    msg = decode_da00(buf)
    assert set(msg.data.coords) == {"x"}
    assert msg.dropped_variables == ("other",)


@pytest.mark.parametrize(
    ("wire", "scipp_dtype"),
    [
        ("int8", sc.DType.int32),
        ("uint8", sc.DType.int32),
        ("int16", sc.DType.int32),
        ("uint16", sc.DType.int32),
        ("uint32", sc.DType.int64),
        ("uint64", sc.DType.float64),
    ],
)
def test_integers_scipp_lacks_are_widened(wire, scipp_dtype):
    values = np.array([1, 2, 3], dtype=wire)
    buf = serialise_da00("src", 0, [Variable(name="signal", data=values, axes=["x"])])
    data = decode_da00(buf).data
    assert data.dtype == scipp_dtype
    assert data.values.tolist() == [1, 2, 3]


def test_label_becomes_the_name_and_missing_label_an_empty_name():
    labelled = [Variable(name="signal", data=np.ones(1), axes=["x"], label="Total")]
    unlabelled = [Variable(name="signal", data=np.ones(1), axes=["x"])]
    assert decode_da00(serialise_da00("s", 0, labelled)).data.name == "Total"
    assert decode_da00(serialise_da00("s", 0, unlabelled)).data.name == ""


def test_python_scalar_variables_written_by_streaming_data_types_decode_as_0d():
    # streaming_data_types records the byte count (8,) as the shape of a Python scalar.
    buf = serialise_da00("s", 0, [Variable(name="signal", data=7, axes=[])])
    data = decode_da00(buf).data
    assert data.dims == ()
    assert data.value == 7


def test_message_time_is_the_last_reference_time_when_present():
    buf = serialise_da00(
        "s",
        T0,
        [
            Variable(name="signal", data=np.ones(2), axes=["x"]),
            Variable(name="reference_time", data=np.array([T0 + 5, T0 + 9]), axes=["pulse"]),
        ],
    )
    msg = decode_da00(buf)
    assert "reference_time" in msg.dropped_variables
    assert message_time_ns(msg) == T0 + 9


def test_message_time_is_the_timestamp_without_reference_time():
    msg = _round_trip(sc.DataArray(sc.scalar(1.0)), timestamp_ns=T0)
    assert message_time_ns(msg) == T0


def test_message_time_reads_a_reference_time_coord_of_a_built_message():
    da = sc.DataArray(sc.ones(dims=["x"], shape=[2]))
    da.coords["reference_time"] = sc.array(dims=["x"], values=[T0, T0 + 3], unit="ns")
    msg = Da00Message(source_name="s", timestamp_ns=0, data=da)
    assert message_time_ns(msg) == T0 + 3


def test_peek_reads_the_source_name_of_a_buffer_with_huge_arrays():
    big = sc.DataArray(sc.zeros(dims=["y", "x"], shape=[1024, 2048]))  # 16 MiB of float64
    buf = encode_da00(big, source_name="huge", timestamp_ns=0)
    assert peek_source_name(buf) == "huge"


def test_peek_never_reads_the_variables(monkeypatch):
    buf = encode_da00(sc.DataArray(sc.ones(dims=["x"], shape=[4])), source_name="s", timestamp_ns=0)

    def refuse(*args, **kwargs):
        raise AssertionError("peek decoded a variable")

    monkeypatch.setattr(da00_module, "read_variable", refuse)
    assert peek_source_name(buf) == "s"
    with pytest.raises(DecodeError, match="peek decoded a variable"):
        decode_da00(buf)  # the full decoder does read them (its failure is wrapped)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"timestamp_ns": 2**63}, id="timestamp-overflow"),
        pytest.param({"timestamp_ns": 1.5}, id="timestamp-float"),
        pytest.param({"timestamp_ns": True}, id="timestamp-bool"),
        pytest.param({"source_name": b"bytes"}, id="source-bytes"),
    ],
)
def test_encode_rejects_bad_arguments(bad):
    kwargs = {"source_name": "s", "timestamp_ns": 0, **bad}
    with pytest.raises(ValueError, match=r"source_name|timestamp_ns"):
        encode_da00(sc.DataArray(sc.scalar(1.0)), **kwargs)


def test_encode_rejects_a_variable_instead_of_a_data_array():
    with pytest.raises(ValueError, match="DataArray"):
        encode_da00(sc.scalar(1.0), source_name="s", timestamp_ns=0)


def test_encode_rejects_dtypes_da00_cannot_carry():
    da = sc.DataArray(
        sc.ones(dims=["x"], shape=[1]), coords={"flag": sc.array(dims=["x"], values=[True])}
    )
    with pytest.raises(ValueError, match="flag"):
        encode_da00(da, source_name="s", timestamp_ns=0)


def test_encode_rejects_a_coord_named_like_a_data_variable():
    da = sc.DataArray(
        sc.ones(dims=["x"], shape=[1]), coords={"errors": sc.ones(dims=["x"], shape=[1])}
    )
    with pytest.raises(ValueError, match="errors"):
        encode_da00(da, source_name="s", timestamp_ns=0)
