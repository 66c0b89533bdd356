from __future__ import annotations

import numpy as np
import scipp as sc

from livedash.session.series import append_series, is_series

from .fakes import image, series


def test_new_samples_are_appended() -> None:
    merged, restarted = append_series(series(0, 3), series(3, 2))
    assert merged.sizes["time"] == 5
    assert not restarted
    assert merged.coords["time"].values[-1] == np.datetime64(4, "ns")


def test_history_keeps_only_the_last_points() -> None:
    merged, _ = append_series(series(0, 8), series(8, 4), max_points=10)
    assert merged.sizes["time"] == 10
    assert merged.coords["time"].values[0] == np.datetime64(2, "ns")


def test_first_message_alone_is_bounded_too() -> None:
    merged, _ = append_series(None, series(0, 20), max_points=10)
    assert merged.sizes["time"] == 10


def test_incompatible_samples_restart_the_history() -> None:
    merged, restarted = append_series(series(0, 3), series(3, 2, unit="deg"))
    assert restarted
    assert merged.sizes["time"] == 2
    assert merged.unit == sc.Unit("deg")


def test_series_needs_a_datetime_time_axis() -> None:
    assert is_series(series(0, 2))
    assert not is_series(image())
    plain = sc.DataArray(sc.arange("time", 3.0), coords={"time": sc.arange("time", 3)})
    assert not is_series(plain)


def test_the_appended_history_keeps_the_name_of_the_newest_message():
    old, new = series(0, 3), series(3, 2)
    new.name = "Update"

    merged, _ = append_series(old, new)

    assert merged.name == "Update"
