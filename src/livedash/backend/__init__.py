"""The fake backend: simulates the ESS live-data services on the real wire protocol.

``livedash fake-backend --instrument dummy`` consumes the commands and ROI topics, owns
every workflow under the service name the real backend uses, acknowledges commands the
way the real services do, publishes job and service heartbeats, and emits synthetic but
plausible results with the shapes, dtypes, units and time coordinates of the real wire
(PROTOCOL.md sections 2.4, 2.5 and 12.1).

Layout: :mod:`.synth` makes the data, :mod:`.jobs` holds jobs per simulated service,
:mod:`.handler` turns commands into acknowledgements, :mod:`.heartbeats` builds the x5f2
messages, :mod:`.results` the da00 ones, :mod:`.faults` injects failures and garbage,
:mod:`.service` is the main loop and :mod:`.command` the CLI entry.
"""
