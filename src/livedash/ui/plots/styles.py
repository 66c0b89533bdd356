"""CSS of the Plots tab (given to each pane with ``stylesheets=``: Panel renders every
component in its own shadow root). Colours match the Workflows tab."""

from __future__ import annotations

CELL_STYLES = {
    "border": "1px solid #dfe3e8",
    "border-radius": "6px",
    "background": "#ffffff",
    "overflow": "hidden",
}

# A stopped plot keeps its last data, a little faded.
MUTED_PLOT = {"opacity": "0.7"}

SLOT_STYLES = {
    "border": "1px dashed #cfd6de",
    "border-radius": "6px",
    "background": "#fafbfc",
}

# The stopped badge sits over the top-left corner of the plot (the toolbar is top-right).
BADGE_STYLES = {"position": "absolute", "top": "6px", "left": "10px", "z-index": "10"}

PLOTS_CSS = """
:host { font-family: system-ui, sans-serif; }
.ld-cell-title { font-size: 15px; font-weight: 600; color: #1f2a35; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; line-height: 30px; }
.ld-layer-title { cursor: default; }
.ld-sep { color: #8a96a3; font-weight: 400; }
.ld-muted { color: #5f6b76; font-weight: 400; }
.ld-state { display: inline-block; font-size: 11px; font-weight: 700; letter-spacing: 0.04em;
  text-transform: uppercase; padding: 1px 8px; border-radius: 9px; margin-left: 4px;
  vertical-align: 2px; line-height: 16px; }
.ld-state-waiting_for_job, .ld-state-waiting_for_data { background: #e6eefa; color: #2f5d94; }
.ld-state-stopped { background: #eceff2; color: #5f6b76; }
.ld-state-error { background: #fbe4e2; color: #b3261e; }
.ld-ph { display: flex; flex-direction: column; align-items: center; justify-content: center;
  text-align: center; padding: 16px; min-height: 80px; height: 100%; box-sizing: border-box; }
.ld-ph + .ld-ph { height: auto; border-top: 1px solid #eceff2; }
.ld-ph-title { font-size: 13px; font-weight: 600; color: #5f6b76; margin-bottom: 4px; }
.ld-ph-text { font-size: 18px; color: #2b3a4a; }
.ld-ph-hint { font-size: 14px; color: #5f6b76; margin-top: 6px; }
.ld-tone-muted .ld-ph-text { color: #5f6b76; }
.ld-tone-error .ld-ph-text { color: #b3261e; font-size: 15px; max-width: 95%; }
.ld-ph pre { white-space: pre-wrap; text-align: left; font-size: 13px; max-height: 260px;
  overflow: auto; background: #fdf3f2; padding: 8px; border-radius: 4px; margin: 0; }
.ld-note { font-size: 13px; color: #2b3a4a; padding: 1px 8px; }
.ld-note.ld-tone-error { color: #b3261e; }
.ld-note.ld-tone-muted { color: #5f6b76; }
.ld-stopped-badge { display: inline-block; font-size: 12px; font-weight: 700;
  letter-spacing: 0.05em; text-transform: uppercase; color: #5f6b76; background: #eceff2e6;
  border: 1px solid #d5dbe1; padding: 2px 10px; border-radius: 10px; }
.ld-banner { display: flex; gap: 10px; align-items: center; padding: 8px 12px;
  border-radius: 6px; background: #fdf0d5; color: #6b4700; border: 1px solid #f0d49a;
  font-size: 15px; }
.ld-banner b { font-weight: 600; }
.ld-error-line { color: #b3261e; font-size: 14px; }
.ld-dialog-title { font-size: 18px; font-weight: 600; color: #1f2a35; }
.ld-resolved { font-size: 13px; color: #5f6b76; }
.ld-resolved code { background: #f1f3f5; padding: 1px 5px; border-radius: 3px; }
.ld-empty { font-size: 16px; color: #5f6b76; padding: 24px 8px; }
"""
