"""A readable one- or few-line summary of a described message (see :mod:`.describe`)."""

from __future__ import annotations

from typing import Any


def render(description: dict[str, Any]) -> str:
    kind = description["kind"]
    renderer = _RENDERERS.get(kind, _render_generic)
    return renderer(description)


def _render_result(d: dict[str, Any]) -> str:
    head = f"RESULT {d['workflow_id']} {d['job_id']} {d['output_name']!r}"
    body = (
        f"  name={d['name']!r} dims={d['dims']} shape={d['shape']} unit={d['unit']} "
        f"dtype={d['dtype']} variances={'yes' if d['has_variances'] else 'no'} "
        f"{_stats(d)}"
    )
    coords = [
        f"    {name}: dims={c['dims']} shape={c['shape']} unit={c['unit']} dtype={c['dtype']} "
        f"{_stats(c)}"
        for name, c in d["coords"].items()
    ]
    return "\n".join([head, body, *coords])


def _stats(d: dict[str, Any]) -> str:
    if "value" in d:
        return f"value={d['value']}"
    parts = [f"{name}={d[name]}" for name in ("sum", "min", "max", "nan_count") if name in d]
    return " ".join(parts)


def _render_job_status(d: dict[str, Any]) -> str:
    status = d["status"]
    text = status.get("error") or status.get("warning") or ""
    first_line = text.splitlines()[0] if text else ""
    return (
        f"JOB {status['workflow_id']} {d['service_id']} state={status['state']} "
        f"nicos={d['nicos_status']} host={d['host']} pid={d['pid']}"
        + (f"\n  {first_line}" if first_line else "")
    )


def _render_service_status(d: dict[str, Any]) -> str:
    status = d["status"]
    line = (
        f"SERVICE {d['service_id']} state={status['state']} jobs={status['active_job_count']} "
        f"batch={status.get('batch_interval_s')}s host={d['host']} pid={d['pid']}"
    )
    if "dashboard" in status:
        line += f"\n  dashboard={status['dashboard']}"
    if status.get("error"):
        line += f"\n  error={status['error'].splitlines()[0]}"
    return line


def _render_command(d: dict[str, Any]) -> str:
    if d["kind"] == "workflow_config":
        return (
            f"WORKFLOW_CONFIG {d['identifier']} {d['job_id']} "
            f"message_id={d['message_id']} params={d['params']}"
        )
    target = d["job_id"] or d["workflow_id"] or "all jobs"
    return f"JOB_COMMAND {d['action']} target={target} message_id={d['message_id']}"


def _render_ack(d: dict[str, Any]) -> str:
    line = f"ACK {d['response']} device={d['device']} message_id={d['message_id']}"
    return line + (f" message={d['message']!r}" if d.get("message") else "")


def _render_roi(d: dict[str, Any]) -> str:
    return f"ROI {d['geometry']} job={d['job_id']} rois={d['rois']}"


def _render_error(d: dict[str, Any]) -> str:
    return f"ERROR cannot decode {d.get('decoding', '?')}: {d['reason']}"


def _render_generic(d: dict[str, Any]) -> str:
    return str(d)


_RENDERERS = {
    "result": _render_result,
    "job_status": _render_job_status,
    "service_status": _render_service_status,
    "workflow_config": _render_command,
    "job_command": _render_command,
    "ack": _render_ack,
    "roi_request": _render_roi,
    "error": _render_error,
}
