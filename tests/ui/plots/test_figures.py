from __future__ import annotations

from bokeh.models import BasicTickFormatter, DatetimeTickFormatter

from livedash.ui.plots.presenters.figures import new_figure


def test_linear_axes_label_large_counts_without_exponents() -> None:
    fig = new_figure(x_label="tof", y_label="counts")
    for axis in (*fig.xaxis, *fig.yaxis):
        assert isinstance(axis.formatter, BasicTickFormatter)
        assert axis.formatter.power_limit_high >= 9


def test_log_and_time_axes_keep_their_own_ticks() -> None:
    fig = new_figure(x_label="time", y_label="counts", x_type="datetime", y_type="log")
    assert isinstance(fig.xaxis[0].formatter, DatetimeTickFormatter)
    assert not isinstance(fig.yaxis[0].formatter, BasicTickFormatter) or (
        fig.yaxis[0].formatter.power_limit_high < 9
    )
