"""Plot core without Panel: configuration model, layer states, plotters, orchestration.

- :mod:`~livedash.plots.model`: grids, cells, layers (frozen pydantic models);
  :mod:`~livedash.plots.editing` builds edited copies; :mod:`~livedash.plots.templates`
  converts an instrument's grid templates.
- :mod:`~livedash.plots.layer_state`: the layer state machine.
- :mod:`~livedash.plots.plotters`: data -> :mod:`~livedash.plots.state` plot states.
- :mod:`~livedash.plots.orchestrator`: layers -> subscriptions -> plot states, on the
  session's pump thread; the UI pulls :class:`~livedash.plots.views.LayerView` changes.

Nothing here imports Panel, Bokeh or HoloViews (a test keeps it so): presenters that
turn plot states into HoloViews objects live with the UI. Import the submodules
directly; this package imports nothing, so the configuration store can use the model
without loading scipp.
"""
