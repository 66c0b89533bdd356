"""CSS of the workflow cards (passed to each HTML pane with ``stylesheets=``, since
Panel renders every component in its own shadow root)."""

from __future__ import annotations

# Widget text size for a control room read from a distance; a CSS custom property, so it
# reaches into every Bokeh widget's shadow root below the element it is set on.
LEGIBLE = {"--bokeh-font-size": "15px", "font-size": "15px"}

CARD_CSS = """
.ld-card-head { display: flex; align-items: center; justify-content: space-between;
  gap: 10px; width: 100%; }
.ld-card-title { font-size: 1.15em; font-weight: 600; color: #1f2a35; cursor: help; }
.ld-badge { display: inline-block; font-weight: 700; font-size: 0.85em; white-space: nowrap;
  letter-spacing: 0.04em; padding: 2px 10px; border-radius: 10px; }
.ld-badge-stopped { background: #eceff2; color: #5f6b76; }
.ld-badge-pending { background: #e6eefa; color: #2f5d94; }
.ld-badge-active { background: #e3f4e8; color: #1e7b3a; }
.ld-badge-warning { background: #fdf0d5; color: #8a5a00; }
.ld-badge-error { background: #fbe4e2; color: #b3261e; }
.ld-badge-context { background: #efe8f7; color: #5b3f8c; }
.ld-muted { color: #5f6b76; font-size: 0.95em; }
.ld-running { color: #1f2a35; font-size: 0.95em; font-variant-numeric: tabular-nums; }
.ld-msg { font-size: 0.95em; margin: 2px 0; }
.ld-msg summary { cursor: pointer; }
.ld-msg pre { white-space: pre-wrap; font-size: 0.85em; max-height: 240px; overflow: auto;
  background: #f6f7f9; color: #1f2a35; padding: 6px; border-radius: 4px; }
.ld-msg-error { color: #b3261e; }
.ld-msg-warning { color: #8a5a00; }
.ld-action-error { color: #b3261e; font-size: 0.95em; }
.ld-confirm { color: #1f2a35; font-weight: 600; }
.ld-superseded { color: #8a5a00; font-size: 0.95em; }
.ld-group-head { font-size: 1.25em; font-weight: 600; color: #2b3a4a; margin: 12px 0 2px 0; }
.ld-group-desc { font-size: 0.9em; font-weight: 400; color: #5f6b76; margin-left: 8px; }
"""
