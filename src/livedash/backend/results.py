"""A job's outputs as result messages: one da00 per output, keyed by ResultKey JSON.

Mirrors the real backend's unrolling sink (PROTOCOL.md 2.2, 2.3): the da00
``source_name`` is ``ResultKey(workflow_id, job_id, output_name).to_json()`` and the
top-level ``timestamp_ns`` is the job's accumulation start time.
"""

from __future__ import annotations

import scipp as sc

from livedash.protocol.ids import ResultKey
from livedash.protocol.results import encode_result

from .jobs import Job


def encode_outputs(job: Job, outputs: dict[str, sc.DataArray]) -> list[bytes]:
    """Encode each output of one update of ``job``, in the spec's output order."""
    order = [name for name in job.spec.outputs if name in outputs]
    order += [name for name in outputs if name not in job.spec.outputs]
    timestamp_ns = job.start_time if job.start_time is not None else 0
    return [
        encode_result(
            ResultKey(workflow_id=job.workflow_id, job_id=job.job_id, output_name=name),
            outputs[name],
            timestamp_ns=timestamp_ns,
        )
        for name in order
    ]
