"""Instrument descriptions as data: workflows, params, outputs, views, sources, grid templates.

Nothing about workflows travels over Kafka (PROTOCOL.md 6): dashboard and backend must
agree on them out of band. livedash ships each instrument as a JSON data file derived
from the upstream registry (``docs/instruments.md``); adding an instrument means adding
a file, to the package or to a directory on ``LIVEDASH_INSTRUMENT_PATH``.
"""

from .errors import InstrumentFileError, UnknownInstrumentError, UnknownWorkflowError
from .grid import CellGeometry, DataSourceRef, GridCell, GridLayer, GridTemplate
from .instrument import (
    FORMAT_VERSION,
    DetectorNumbers,
    Instrument,
    RoiGeometry,
    SourceInfo,
    TimeseriesView,
)
from .loader import (
    INSTRUMENT_PATH_ENV,
    available_instruments,
    load_instrument,
    read_instrument_file,
)
from .outputs import (
    CoordTemplate,
    ObservedOutput,
    OutputSpec,
    OutputTemplate,
    OutputView,
    Temporality,
    Windowing,
)
from .params import ParamsSpec
from .workflows import AuxInput, WorkflowGroup, WorkflowSpec

__all__ = [
    "FORMAT_VERSION",
    "INSTRUMENT_PATH_ENV",
    "AuxInput",
    "CellGeometry",
    "CoordTemplate",
    "DataSourceRef",
    "DetectorNumbers",
    "GridCell",
    "GridLayer",
    "GridTemplate",
    "Instrument",
    "InstrumentFileError",
    "ObservedOutput",
    "OutputSpec",
    "OutputTemplate",
    "OutputView",
    "ParamsSpec",
    "RoiGeometry",
    "SourceInfo",
    "Temporality",
    "TimeseriesView",
    "UnknownInstrumentError",
    "UnknownWorkflowError",
    "Windowing",
    "WorkflowGroup",
    "WorkflowSpec",
    "available_instruments",
    "load_instrument",
    "read_instrument_file",
]
