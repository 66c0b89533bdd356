"""Per-workflow data synthesizers: scipp DataArrays shaped like the real backend's wire.

One module per workflow family (detector, area, monitor, totals, timeseries); each
synthesizer accumulates simulated counts over update windows and returns its outputs
keyed by output field name, *without* names or time coords: the job layer adds those,
as the real backend's job layer does.
"""
