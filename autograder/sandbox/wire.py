"""The one data channel between a sandboxed child and the grader: JSON lines, arrays as base64, no pickle.

``dumps`` runs in the child on plain data (see ``probing.plain``). ``loads`` runs in the trusted parent on
bytes the child (and so, potentially, student code) wrote. It accepts only JSON objects with string keys,
lists, strings, numbers, booleans, null, and arrays of numeric or boolean dtypes whose byte length matches
their shape, nested at most ``MAX_DEPTH`` deep. Anything else, including input deep enough to exhaust the
JSON parser's recursion, raises ``WireError``: the caller fails that probe closed.
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import numpy as np

ARRAY_KEY = "__ndarray__"
ALLOWED_DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                            "float16", "float32", "float64"})
MAX_ELEMENTS = 8_000_000
MAX_DEPTH = 48


class WireError(ValueError):
    """What the child sent is not valid data."""


def encode(value: Any) -> Any:
    if type(value) is np.ndarray:
        array = np.ascontiguousarray(value)
        # ascontiguousarray turns a 0-d array into shape (1,): the shape comes from the original.
        return {ARRAY_KEY: [str(array.dtype), list(value.shape), base64.b64encode(array.tobytes()).decode()]}
    if type(value) is list:
        return [encode(v) for v in value]
    if type(value) is dict:
        return {k: encode(v) for k, v in value.items()}
    return value


def dumps(record: Any) -> bytes:
    return (json.dumps(encode(record), allow_nan=True, separators=(",", ":")) + "\n").encode()


def decode(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("data nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return [decode(v, depth + 1) for v in value]
    if type(value) is dict:
        if ARRAY_KEY in value:
            return _array(value)
        return {k: decode(v, depth + 1) for k, v in value.items()}  # JSON object keys are always strings
    raise WireError(f"unexpected {type(value).__name__} in data")


def _array(spec: dict) -> np.ndarray:
    if set(spec) != {ARRAY_KEY} or type(spec[ARRAY_KEY]) is not list or len(spec[ARRAY_KEY]) != 3:
        raise WireError("malformed array")
    dtype, shape, payload = spec[ARRAY_KEY]
    if type(dtype) is not str or dtype not in ALLOWED_DTYPES:
        raise WireError("array dtype is not allowed")
    if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and 0 <= n <= MAX_ELEMENTS for n in shape):
        raise WireError("malformed array shape")
    count = 1
    for n in shape:
        count *= n
    if count > MAX_ELEMENTS or type(payload) is not str:
        raise WireError("array too large or malformed")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise WireError("array payload is not base64") from None
    if len(raw) != count * np.dtype(dtype).itemsize:
        raise WireError("array bytes do not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).copy()


def loads(line: bytes) -> Any:
    try:
        parsed = json.loads(line)
    except RecursionError:
        raise WireError("data nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError(f"not JSON ({type(exc).__name__})") from None
    try:
        return decode(parsed)
    except RecursionError:
        raise WireError("data nested too deeply") from None
