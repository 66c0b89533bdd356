"""Load benchmark: N browser tabs (or protocol-level Bokeh sessions) on W workers.

``python -m benchmarks.load --tabs 5,10,20 --workers 2 [--duration 60]
[--mode browser|bokeh-client] [--out benchmarks/results/load.json] [--config-dir D]``

For every N a fresh ``livedash demo`` (broker, fake backend, W workers, nginx) is
started on free ports in a temporary directory (or ``--config-dir`` names a running
deployment), the shared layout is set to four live plots (:mod:`.scenario`) and their
workflows are started, and N tabs are opened at once through nginx. Measured
(:mod:`.runner`): session start (page request to all four plots drawn), update
latency (backend publish to browser paint, traced by data fingerprints:
:mod:`.fingerprints`, ``probe.js``), update rate, missed and late updates, longest gap,
worker RSS and CPU per session, broker connections per session and teardown time.
Results are printed as a table and written as JSON (docs/BENCHMARKS.md, "Load").

Modules: :mod:`.demo` (the system under test), :mod:`.scenario` (layout and jobs),
:mod:`.tap` (what the backend published; session heartbeats), :mod:`.browser`
(Chromium tabs) and :mod:`.client` (Bokeh-client tabs), :mod:`.metrics` (psutil),
:mod:`.analysis` (numbers from records), :mod:`.report` (table, targets).
"""
