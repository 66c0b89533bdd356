"""A deterministic mix of malformed and valid messages for every topic a session reads.

:func:`build_plan` returns the messages to produce (shuffled, bad and valid interleaved)
and what a session must count afterwards. Every bad message belongs to a *kind* named
after the counter that must count it:

========================  =============================  ====================================
kind                      topics                         counted in
========================  =============================  ====================================
``da00``                  data                           pump ``decode_errors``: under 8
                                                         bytes, truncated samples, random
                                                         bytes behind the da00 id, x5f2
                                                         buffers (wrong schema id), absurd,
                                                         negative or mismatched shapes
``result_key``            data                           pump ``decode_errors``: a da00 whose
                                                         source_name is no result key
``x5f2``                  status                         pump ``decode_errors``: under 8
                                                         bytes, truncated samples, random
                                                         bytes, da00 buffers, invalid JSON,
                                                         unknown message_type
``ack``                   responses                      pump ``decode_errors``
``command``               commands                       pump ``decode_errors``
``config_*``              config                         the store's ``skipped`` counters
``unknown_workflow``      status                         job service ``ignored_unknown_workflow``
``data_unknown_workflow`` data                           pump ``routed["data_skipped"]``: never
                                                         decoded, as nobody shows them
========================  =============================  ====================================

Valid messages: job heartbeats of the one job the sessions follow, service heartbeats,
results of that job for the key the seeded layout shows (a quarter carrying NaN and
inf), acknowledgements, stop commands for unknown jobs, and grid documents no layout
lists. Each bad message is checked here with the protocol's own decoders to be bad
in the designed way, so a generator that accidentally builds a valid message fails
the test instead of skewing the counts.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipp as sc
from streaming_data_types.status_x5f2 import serialise_x5f2

from livedash.plots.model import Grid
from livedash.protocol.acks import Acknowledgement, AckResponse, decode_ack, encode_ack
from livedash.protocol.commands import JobAction, JobCommand, decode_command, encode_command
from livedash.protocol.da00 import decode_da00, encode_da00
from livedash.protocol.errors import DecodeError
from livedash.protocol.ids import JobId, ResultKey, WorkflowId
from livedash.protocol.results import decode_result, encode_result, peek_result_key
from livedash.protocol.status import (
    JobState,
    JobStatus,
    ServiceState,
    ServiceStatus,
    decode_status,
    encode_job_status,
    encode_service_status,
)
from livedash.session.topics import SessionTopics
from livedash.store.envelope import decode_record, encode_record
from tests.protocol.da00_builder import RawVariable, build_da00
from tests.samples import load_vector

WORKFLOW = "area_panel_xy"
SOURCE = "area_panel"
OUTPUT = "cumulative"  # what the seeded "Detectors" grid shows of area_panel_xy
IMAGE_SHAPE = (16, 16)
T0_NS = 1_763_700_000_000_000_000
# Shares of the bad messages per topic (the rest of each share is split over its kinds).
TOPIC_SHARES = {"data": 0.4, "status": 0.25, "responses": 0.1, "commands": 0.1, "config": 0.15}
VALID_PER_BAD = 0.25


@dataclass(frozen=True)
class Planned:
    topic: str
    value: bytes
    key: bytes | None
    kind: str  # the bad kind, or "valid:<what>"


@dataclass
class Plan:
    """What to send, and what a session that read all of it must have counted."""

    messages: list[Planned]
    first: Planned  # makes the job the sessions' current generation; send it first
    job_number: uuid.UUID
    workflow_id: WorkflowId
    bad: Counter[str] = field(default_factory=Counter)
    valid: Counter[str] = field(default_factory=Counter)
    grid_docs: list[str] = field(default_factory=list)
    service_id: str = ""
    last_service_sequence: int = -1

    @property
    def wanted_key(self) -> ResultKey:
        return ResultKey(
            workflow_id=self.workflow_id,
            job_id=JobId(source_name=SOURCE, job_number=self.job_number),
            output_name=OUTPUT,
        )


class _Builder:
    def __init__(self, instrument: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.topics = SessionTopics.for_instrument(instrument)
        self.instrument = instrument
        self.workflow_id = WorkflowId(instrument=instrument, name=WORKFLOW, version=1)
        self.unknown_workflow = WorkflowId(instrument=instrument, name="no_such_flow", version=1)
        self.job_number = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        self.service_worker = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self.service_sequence = 0
        self.da00_sample = load_vector("da00_area_panel_xy_cumulative")[0]
        # The sample's image under the key the sessions show, so that a truncation that
        # keeps the source_name is still decoded (and rejected), not skipped unread.
        self.wanted_sample = encode_result(
            self.key(), decode_da00(self.da00_sample).data, timestamp_ns=T0_NS
        )
        self.x5f2_sample = load_vector("x5f2_job_active_panel_0_xy")[0]
        self.grid_docs: list[str] = []

    # --- helpers ---------------------------------------------------------------------
    def random_bytes(self, low: int, high: int) -> bytes:
        return self.rng.randbytes(self.rng.randint(low, high))

    def behind_schema(self, schema: bytes) -> bytes:
        body = self.random_bytes(8, 512)
        return body[:4] + schema + body[4:]

    def prefix(self, buf: bytes) -> bytes:
        # At most half: the tail of a flatbuffer may be padding that nothing refers to.
        return buf[: self.rng.randint(8, min(len(buf) // 2, 4096))]

    def key(self) -> ResultKey:
        return ResultKey(
            workflow_id=self.workflow_id,
            job_id=JobId(source_name=SOURCE, job_number=self.job_number),
            output_name=OUTPUT,
        )

    def x5f2(self, status_json: str) -> bytes:
        return serialise_x5f2(
            "livedata", "0.0.0", f"{self.instrument}:detector_data:x", "h", 1, 2000, status_json
        )

    def job_heartbeat(self, workflow_id: WorkflowId) -> bytes:
        status = JobStatus(
            job_id=JobId(source_name=SOURCE, job_number=self.job_number),
            workflow_id=workflow_id,
            state=JobState.ACTIVE,
            start_time=T0_NS,
        )
        return encode_job_status(status, host_name="bad-input", process_id=1)

    # --- bad messages by kind: (topic, generator) --------------------------------------
    def bad_kinds(self) -> dict[str, list[tuple[str, Callable[[], tuple[bytes, bytes | None]]]]]:
        t = self.topics
        absurd = [
            lambda: [RawVariable("signal", np.zeros(4), axes=["x", "y"], shape=[10**9, 10**9])],
            lambda: [RawVariable("signal", np.zeros(4), axes=["x"], shape=[5])],
            lambda: [RawVariable("signal", np.zeros(4), axes=["x", "y"], shape=[-2, -2])],
        ]
        return {
            "da00": [
                (t.data, lambda: (self.random_bytes(0, 7), None)),
                (t.data, lambda: (self.prefix(self.wanted_sample), None)),
                (t.data, lambda: (self.behind_schema(b"da00"), None)),
                (t.data, lambda: (self.x5f2_sample, None)),
                (
                    t.data,
                    lambda: (
                        build_da00(self.rng.choice(absurd)(), source_name=self.key().to_json()),
                        None,
                    ),
                ),
            ],
            "result_key": [
                (
                    t.data,
                    lambda: (encode_da00(_image(), source_name="panel_0", timestamp_ns=1), None),
                )
            ],
            "data_unknown_workflow": [
                (
                    t.data,
                    lambda: (encode_result(self.unknown_key(), _image(), timestamp_ns=1), None),
                )
            ],
            "x5f2": [
                (t.status, lambda: (self.random_bytes(0, 7), None)),
                (t.status, lambda: (self.prefix(self.x5f2_sample), None)),
                (t.status, lambda: (self.behind_schema(b"x5f2"), None)),
                (t.status, lambda: (self.da00_sample[:2048] + b"", None)),
                (t.status, lambda: (self.x5f2("{not json"), None)),
                (
                    t.status,
                    lambda: (self.x5f2('{"status": 200, "message": {"message_type": "x"}}'), None),
                ),
            ],
            "unknown_workflow": [
                (t.status, lambda: (self.job_heartbeat(self.unknown_workflow), None))
            ],
            "ack": [
                (t.responses, lambda: (b"{not json", None)),
                (t.responses, lambda: (b'{"message_id": 5}', None)),
                (t.responses, lambda: (self.random_bytes(0, 64), None)),
            ],
            "command": [
                (t.commands, lambda: (b"{not json", None)),
                (t.commands, lambda: (b'{"kind": "launch_rockets"}', None)),
                (t.commands, lambda: (self.random_bytes(0, 64), None)),
            ],
            "config_key": [(t.livedash_config, lambda: (self.config_value("grids"), None))],
            "config_json": [(t.livedash_config, lambda: (b"{torn", b"grids"))],
            "config_schema": [(t.livedash_config, lambda: (b'{"schema": 7}', b"grids"))],
            "config_envelope": [
                (t.livedash_config, lambda: (b'{"schema": 1, "doc": "grids"}', b"grids"))
            ],
            "config_doc": [
                (
                    t.livedash_config,
                    lambda: (self.config_value("grid/" + str(uuid.uuid4())), b"grids"),
                )
            ],
            "config_body": [
                (
                    t.livedash_config,
                    lambda: (self.config_value("grids", {"grid_ids": [1, 1]}), b"grids"),
                )
            ],
        }

    def unknown_key(self) -> ResultKey:
        return ResultKey(
            workflow_id=self.unknown_workflow,
            job_id=JobId(source_name=SOURCE, job_number=self.job_number),
            output_name=OUTPUT,
        )

    def config_value(self, doc: str, body: dict | None = None) -> bytes:
        return encode_record(
            doc=doc,
            version=1,
            writer="bad-input",
            written_at_ns=T0_NS,
            body={"grid_ids": []} if body is None else body,
        )[1]

    # --- valid messages: (topic, what, generator) ------------------------------------
    def valid_kinds(self) -> list[tuple[str, str, Callable[[], tuple[bytes, bytes | None]]]]:
        t = self.topics
        return [
            (t.status, "job_status", lambda: (self.job_heartbeat(self.workflow_id), None)),
            (t.status, "service_status", self.service_heartbeat),
            (t.data, "data", self.result),
            (t.responses, "ack", self.ack),
            (t.commands, "command", self.command),
            (t.livedash_config, "config", self.grid_document),
        ]

    def service_heartbeat(self) -> tuple[bytes, bytes | None]:
        status = ServiceStatus(
            instrument=self.instrument,
            service_name="detector_data",
            worker_id=self.service_worker,
            state=ServiceState.RUNNING,
            started_at=T0_NS,
            active_job_count=self.service_sequence,
        )
        self.service_sequence += 1
        return encode_service_status(status, host_name="bad-input", process_id=1), None

    def result(self) -> tuple[bytes, bytes | None]:
        values = self.np_rng.random(IMAGE_SHAPE) * 100
        if self.rng.random() < 0.25:  # valid, but hostile to plotting
            values[0, 0], values[1, 1], values[2, 2] = np.nan, np.inf, -np.inf
        image = sc.DataArray(sc.array(dims=["dim_0", "dim_1"], values=values, unit="counts"))
        return encode_result(self.key(), image, timestamp_ns=T0_NS), None

    def ack(self) -> tuple[bytes, bytes | None]:
        ack = Acknowledgement(
            message_id=str(uuid.uuid4()), device="detector_data", response=AckResponse.ACK
        )
        return encode_ack(ack), None

    def command(self) -> tuple[bytes, bytes | None]:
        job = JobId(source_name=SOURCE, job_number=uuid.uuid4())
        return encode_command(JobCommand(job_id=job, action=JobAction.STOP)), None

    def grid_document(self) -> tuple[bytes, bytes | None]:
        grid = Grid(title=f"bad-input {len(self.grid_docs)}", nrows=1, ncols=1)
        doc = f"grid/{grid.grid_id}"
        self.grid_docs.append(doc)
        key, value = encode_record(
            doc=doc,
            version=1,
            writer="bad-input",
            written_at_ns=T0_NS,
            body=grid.model_dump(mode="json"),
        )
        return value, key


def _image() -> sc.DataArray:
    return sc.DataArray(sc.ones(dims=["dim_0", "dim_1"], shape=[2, 2], unit="counts"))


def build_plan(instrument: str, *, bad: int, seed: int = 20251121) -> Plan:
    """``bad`` malformed messages and ``VALID_PER_BAD * bad`` valid ones, shuffled."""
    builder = _Builder(instrument, seed)
    rng = builder.rng
    topic_of = {
        "data": builder.topics.data,
        "status": builder.topics.status,
        "responses": builder.topics.responses,
        "commands": builder.topics.commands,
        "config": builder.topics.livedash_config,
    }
    by_topic: dict[str, list[tuple[str, Callable[[], tuple[bytes, bytes | None]]]]] = {}
    for kind, generators in builder.bad_kinds().items():
        for topic, generate in generators:
            by_topic.setdefault(topic, []).append((kind, generate))
    first = Planned(
        builder.topics.status, builder.job_heartbeat(builder.workflow_id), None, "valid:job_status"
    )
    plan = Plan(
        messages=[], first=first, job_number=builder.job_number, workflow_id=builder.workflow_id
    )
    for name, share in TOPIC_SHARES.items():
        generators = by_topic[topic_of[name]]
        for i in range(round(bad * share)):
            kind, generate = generators[i % len(generators)]
            value, key = generate()
            _check_bad(kind, topic_of[name], builder, key, value)
            plan.messages.append(Planned(topic_of[name], value, key, kind))
            plan.bad[kind] += 1
    valid = builder.valid_kinds()
    for i in range(round(bad * VALID_PER_BAD)):
        topic, what, generate = valid[i % len(valid)]
        value, key = generate()
        plan.messages.append(Planned(topic, value, key, f"valid:{what}"))
        plan.valid[what] += 1
    rng.shuffle(plan.messages)
    plan.grid_docs = list(builder.grid_docs)
    plan.service_id = f"{instrument}:detector_data:{builder.service_worker}"
    last = next(m for m in reversed(plan.messages) if m.kind == "valid:service_status")
    plan.last_service_sequence = decode_status(last.value).status.active_job_count  # type: ignore[union-attr]
    return plan


def _check_bad(kind: str, topic: str, builder: _Builder, key: bytes | None, value: bytes) -> None:
    """Fail if ``value`` is not bad in the way ``kind`` says (see the module docstring)."""
    topics = builder.topics
    if kind == "unknown_workflow":
        decode_status(value)  # a valid heartbeat of a workflow the instrument lacks
        return
    decoder: Callable[[bytes], object] = {
        topics.data: lambda v: _decode_data(v, builder.key()),
        topics.status: decode_status,
        topics.responses: decode_ack,
        topics.commands: decode_command,
        topics.livedash_config: lambda v: _decode_config(key, v),
    }[topic]
    try:
        outcome = decoder(value)
    except DecodeError as err:
        if err.kind != kind:
            raise AssertionError(f"built a {kind} message that is {err.kind}: {err}") from None
        return
    if outcome != kind:
        raise AssertionError(f"built a {kind} message that decodes")


def _decode_data(value: bytes, wanted: ResultKey) -> str | None:
    """What the session pump does: peek at the key, decode only results it shows."""
    if peek_result_key(value) != wanted:
        return "data_unknown_workflow"  # skipped unread
    decode_result(value)
    return None


def _decode_config(key: bytes | None, value: bytes) -> None:
    envelope = decode_record(key, value)
    if envelope.doc == "grids" and envelope.body is not None:
        # What the store does with the body of a valid envelope: the model must reject it.
        from livedash.store.documents import validate_document  # noqa: PLC0415

        try:
            validate_document(envelope.doc, envelope.body)
        except ValueError as err:
            raise DecodeError("config_body", str(err)) from None
