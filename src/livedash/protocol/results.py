"""Result messages on ``{inst}_livedata_data`` (PROTOCOL.md 2.2-2.5).

A result is a da00 message whose ``source_name`` is the compact JSON of a
:class:`~livedash.protocol.ids.ResultKey`. The key is parsed before the arrays are
decoded, so a message that is not a result is rejected without building any array.
"""

from __future__ import annotations

import scipp as sc

from .da00 import Da00Message, decode_da00, encode_da00, peek_source_name
from .ids import ResultKey


def encode_result(key: ResultKey, data: sc.DataArray, *, timestamp_ns: int) -> bytes:
    """Serialise one output of a job as the backend does.

    ``timestamp_ns`` is the job's accumulation start time (PROTOCOL.md 2.3).
    """
    if not isinstance(key, ResultKey):
        raise ValueError(f"key must be a ResultKey, got {type(key).__name__}")
    return encode_da00(data, source_name=key.to_json(), timestamp_ns=timestamp_ns)


def peek_result_key(buf: bytes) -> ResultKey:
    """The :class:`ResultKey` of a result message, without decoding its arrays.

    Raises :class:`~livedash.protocol.errors.DecodeError` (kind ``"da00"`` for a bad
    flatbuffer, ``"result_key"`` for a ``source_name`` that is not a ResultKey).
    """
    return ResultKey.from_json(peek_source_name(buf))


def decode_result(buf: bytes) -> tuple[ResultKey, Da00Message]:
    """Decode a result message into its key and its data; raises only ``DecodeError``."""
    key = peek_result_key(buf)
    return key, decode_da00(buf)
