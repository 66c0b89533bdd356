"""The Plots tab: tabs of grids of live plots drawn from the plot orchestrator's states.

- :class:`~.view.PlotsView`: the tab (refresh / close, editing, conflict banner);
- :mod:`.grid`, :mod:`.cell`, :mod:`.compose`: grid -> cells -> the plot of a cell;
- :mod:`.presenters`: plot states drawn with Bokeh once, then updated in place;
- :mod:`.placeholders`: what a layer without a plot says;
- :mod:`.dialog`, :mod:`.dialog_model`, :mod:`.params_form`, :mod:`.grid_form`,
  :mod:`.arrange`: configuration; :mod:`.edits`: edits written to the shared store;
- :mod:`.protocols`: what the tab needs of the session stack.
"""

from .protocols import LayerSource, LayoutStore, WorkflowStates
from .view import PlotsView

__all__ = ["LayerSource", "LayoutStore", "PlotsView", "WorkflowStates"]
