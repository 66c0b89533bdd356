"""Results shaped exactly like the wire: the fake backend's jobs, through da00 and back."""

from __future__ import annotations

import uuid
from functools import cache

import numpy as np
import scipp as sc

from livedash.backend.faults import FaultPlan
from livedash.backend.jobs import JobManager
from livedash.instruments import Instrument, load_instrument
from livedash.protocol.ids import JobId, ResultKey, WorkflowId
from livedash.protocol.results import decode_result, encode_result

T0_NS = 1_763_700_000_000_000_000
JOB_NUMBER = uuid.UUID("11111111-2222-3333-4444-555555555555")


@cache
def dummy() -> Instrument:
    return load_instrument("dummy")


def workflow_id(name: str) -> WorkflowId:
    return WorkflowId(instrument="dummy", name=name, version=1)


def wire_round_trip(key: ResultKey, data: sc.DataArray) -> sc.DataArray:
    _, message = decode_result(encode_result(key, data, timestamp_ns=T0_NS))
    return message.data


def wire_updates(
    name: str, source: str, *, updates: int = 2, params: dict[str, object] | None = None
) -> list[dict[str, sc.DataArray]]:
    """``updates`` successive outputs of one job of workflow ``name`` on ``source``."""
    instrument = dummy()
    spec = instrument.workflow(workflow_id(name))
    manager = JobManager(
        instrument=instrument,
        service_name=spec.service,
        faults=FaultPlan(),
        seed=np.random.SeedSequence(7),
    )
    job_id = JobId(source_name=source, job_number=JOB_NUMBER)
    job = manager.schedule(spec, job_id=job_id, params=params or {}, now_ns=T0_NS)
    results = []
    for step in range(1, updates + 1):
        outputs = job.step(T0_NS + step * 1_000_000_000)
        results.append(
            {
                output: wire_round_trip(
                    ResultKey(workflow_id=spec.id, job_id=job_id, output_name=output), data
                )
                for output, data in outputs.items()
            }
        )
    return results


def wire_output(name: str, source: str, output: str, *, updates: int = 1) -> sc.DataArray:
    """The last of ``updates`` results of ``output``."""
    return wire_updates(name, source, updates=updates)[-1][output]
