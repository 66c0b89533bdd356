"""The per-session service stack: everything one browser session owns, without widgets.

:class:`~livedash.session.stack.SessionStack` is the composition root. Nothing in this
package imports Panel, Bokeh or HoloViews (a test keeps it so); the UI calls the stack,
never Kafka.
"""
