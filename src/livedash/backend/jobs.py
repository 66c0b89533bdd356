"""Jobs of one simulated backend service: schedule, stop, reset, step, report status.

Semantics follow the real ``JobManager`` (PROTOCOL.md 3.2-3.4, 5.2):

- a job is ``scheduled`` until its first update, then ``active`` (or ``warning`` /
  ``error`` under fault injection); ``start_time`` is the start of its first update
  window and stays fixed until a reset, ``end_time`` is the end of the latest one;
- scheduling a JobId that exists replaces the job (``schedule_job`` overwrites);
- stopping removes the job: it simply stops heartbeating;
- reset clears the accumulated data, the error and the warning; ``start_time`` is unset
  until the next update starts a new accumulation period.

Every emitted output gets ``name`` = the output's title and the 0-D int64 ``ns`` coords
``start_time`` and ``time`` (cumulative: job start and latest update end; window: the
update's bounds); series outputs carry their own 1-D ``time`` axis and get neither.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipp as sc
import structlog

from livedash.instruments import Instrument, WorkflowSpec
from livedash.protocol.ids import JobId, WorkflowId
from livedash.protocol.status import JobState, JobStatus

from .faults import Fault, FaultPlan, raise_injected_failure, warning_text
from .rois import RoiState
from .synth.base import Synthesizer, Window
from .synth.registry import make_synthesizer, uses_rois

logger = structlog.get_logger(__name__)


class JobRejectedError(ValueError):
    """A WorkflowConfig this service owns but cannot run; the message goes into the ERR."""


class ResetNotSupportedError(RuntimeError):
    """A reset of a job whose workflow has ``supports_reset = False``."""


class Job:
    """One job: its identity, its synthesizer, and the state its heartbeat reports."""

    def __init__(
        self,
        *,
        job_id: JobId,
        spec: WorkflowSpec,
        synthesizer: Synthesizer,
        rois: RoiState | None,
        fault: Fault | None,
        scheduled_at_ns: int,
    ) -> None:
        self.job_id = job_id
        self.spec = spec
        self.rois = rois
        self._synthesizer = synthesizer
        self._fault = fault
        self._window_start_ns = scheduled_at_ns
        self.state = JobState.SCHEDULED
        self.start_time: int | None = None
        self.end_time: int | None = None
        self.error: str | None = None
        self.warning: str | None = None

    @property
    def workflow_id(self) -> WorkflowId:
        return self.spec.id

    def step(self, now_ns: int) -> dict[str, sc.DataArray]:
        """Simulate the update ending at ``now_ns``; the outputs to publish (maybe none).

        A failing job accumulates but cannot finalize: it goes to ``error`` and returns
        nothing, and retries on the next update as the real backend does.
        """
        window = Window(min(self._window_start_ns, now_ns), now_ns)
        self._window_start_ns = now_ns
        if self.start_time is None:
            self.start_time = window.start_ns
        self.end_time = window.end_ns
        try:
            raw = self._synthesizer.step(window)
            if self._fault is Fault.FAIL:
                raise_injected_failure(self.spec.id.name)
        except Exception:  # noqa: BLE001 - the real backend reports any finalize failure
            self.state = JobState.ERROR
            self.error = f"Job failed to compute result.\n\n{traceback.format_exc()}"
            return {}
        self.error = None
        if self._fault is Fault.WARN:
            self.state = JobState.WARNING
            self.warning = warning_text(self.spec.id.name)
        else:
            self.state = JobState.ACTIVE
            self.warning = None
        return self._enrich(raw, window)

    def reset(self, now_ns: int) -> None:
        """Clear accumulation, error and warning; the next update starts a new period."""
        self._synthesizer.reset()
        self._window_start_ns = now_ns
        self.start_time = None
        self.end_time = None
        self.error = None
        self.warning = None
        if self.state is not JobState.SCHEDULED:
            self.state = JobState.ACTIVE

    def status(self, *, state: JobState | None = None) -> JobStatus:
        """The job's heartbeat content; ``state`` overrides (final ``stopped`` beat)."""
        return JobStatus(
            job_id=self.job_id,
            workflow_id=self.spec.id,
            state=state or self.state,
            warning=self.warning,
            error=self.error,
            start_time=self.start_time,
            end_time=self.end_time,
        )

    def _enrich(self, raw: dict[str, sc.DataArray], window: Window) -> dict[str, sc.DataArray]:
        outputs: dict[str, sc.DataArray] = {}
        for name, data in raw.items():
            spec = self.spec.outputs.get(name)
            data.name = spec.title if spec is not None else name
            temporality = spec.temporality if spec is not None else "cumulative"
            if temporality == "window":
                data.coords["start_time"] = _ns(window.start_ns)
                data.coords["time"] = _ns(window.end_ns)
            elif temporality == "cumulative":
                data.coords["start_time"] = _ns(self.start_time or window.start_ns)
                data.coords["time"] = _ns(window.end_ns)
            outputs[name] = data
        return outputs


class JobManager:
    """All jobs of one simulated service, keyed by JobId.

    Owns a workflow only when its instrument matches and its spec names this service
    (the real ``JobFactory.create`` rule). Single-threaded: the backend loop calls it.
    """

    def __init__(
        self,
        *,
        instrument: Instrument,
        service_name: str,
        faults: FaultPlan,
        seed: np.random.SeedSequence,
    ) -> None:
        self._instrument = instrument
        self.service_name = service_name
        self._faults = faults
        self._seed = seed
        self._jobs: dict[JobId, Job] = {}

    def owned_spec(self, workflow_id: WorkflowId) -> WorkflowSpec | None:
        """The spec if this service runs ``workflow_id``; ``None`` means stay silent."""
        if workflow_id.instrument != self._instrument.name:
            return None
        spec = self._instrument.workflows.get(workflow_id)
        if spec is None or spec.service != self.service_name:
            return None
        return spec

    def owned_workflows(self) -> list[WorkflowSpec]:
        return [
            spec
            for spec in self._instrument.workflows.values()
            if spec.service == self.service_name
        ]

    def schedule(
        self, spec: WorkflowSpec, *, job_id: JobId, params: dict[str, Any], now_ns: int
    ) -> Job:
        """Create (or replace) the job ``job_id``; JobRejectedError if it cannot run."""
        if job_id.source_name not in spec.source_names:
            raise JobRejectedError(
                f"Source {job_id.source_name!r} is not a source of workflow {spec.id}; "
                f"expected one of {spec.source_names}"
            )
        problems = spec.params.validate(params)
        if problems:
            raise JobRejectedError(_validation_message(spec, problems))
        full_params = spec.params.merge_with_default(params)
        rois = RoiState() if uses_rois(spec) else None
        rng = np.random.default_rng(self._seed.spawn(1)[0])
        try:
            synthesizer = make_synthesizer(
                spec, source_name=job_id.source_name, params=full_params, rng=rng, rois=rois
            )
        except (KeyError, TypeError, ValueError) as err:
            raise JobRejectedError(f"Cannot create workflow {spec.id}: {err}") from None
        job = Job(
            job_id=job_id,
            spec=spec,
            synthesizer=synthesizer,
            rois=rois,
            fault=self._faults.fault_for(spec.id.name),
            scheduled_at_ns=now_ns,
        )
        replaced = job_id in self._jobs
        self._jobs[job_id] = job
        logger.info(
            "job_scheduled",
            service=self.service_name,
            job_id=str(job_id),
            workflow_id=str(spec.id),
            replaced=replaced,
        )
        return job

    def get(self, job_id: JobId) -> Job | None:
        return self._jobs.get(job_id)

    def select(self, workflow_id: WorkflowId | None) -> list[Job]:
        """Jobs of ``workflow_id``, or every job when it is ``None``."""
        return [job for job in self._jobs.values() if workflow_id in (None, job.workflow_id)]

    def stop(self, job_id: JobId) -> None:
        """Remove the job; KeyError if it is not here."""
        del self._jobs[job_id]
        logger.info("job_stopped", service=self.service_name, job_id=str(job_id))

    def reset(self, job_id: JobId, *, now_ns: int) -> None:
        """Reset the job; KeyError if absent, ResetNotSupportedError if not allowed."""
        job = self._jobs[job_id]
        if not job.spec.supports_reset:
            raise ResetNotSupportedError(f"Workflow {job.spec.id} does not support reset")
        job.reset(now_ns)
        logger.info("job_reset", service=self.service_name, job_id=str(job_id))

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))

    def __len__(self) -> int:
        return len(self._jobs)


def _validation_message(spec: WorkflowSpec, problems: list[str]) -> str:
    """Shaped like pydantic's ValidationError text, which the real backend sends."""
    count = len(problems)
    plural = "s" if count != 1 else ""
    return f"{count} validation error{plural} for {spec.params.model_name}\n" + "\n".join(problems)


def _ns(value: int) -> sc.Variable:
    return sc.scalar(int(value), unit="ns", dtype="int64")
