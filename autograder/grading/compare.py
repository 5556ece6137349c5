"""Verdict helpers (trusted side): compare plain data from a probe, and say what differs in a sentence.

Inputs are plain data (see ``probing.plain``), never student objects: only numpy arrays, numbers,
strings, booleans, None, lists and dicts reach these functions, and their types are checked first.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_MAX_SHOWN = 5
# The sandboxed grader sets this False: feedback then names where a result is wrong, never the hidden value.
SHOW_EXPECTED = True


def _expected(value: Any) -> str:
    return f", expected {value}" if SHOW_EXPECTED else ""


def _fmt(value: Any) -> str:
    if type(value) is np.ndarray:
        if value.size <= 8:
            return np.array2string(value, precision=5, separator=", ")
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return repr(value)


def _array_problem(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float, path: str,
                   exact_dtype: bool) -> str | None:
    where = f" at `{path}`" if path else ""
    if got.shape != expected.shape:
        return f"the array{where} has shape {got.shape}, expected shape {expected.shape}"
    if exact_dtype and got.dtype != expected.dtype:
        return f"the array{where} has dtype {got.dtype}, expected {expected.dtype}"
    kinds = {"b": "boolean", "i": "integer", "u": "integer", "f": "floating"}
    if kinds[got.dtype.kind] != kinds[expected.dtype.kind]:
        return (f"the array{where} has dtype {got.dtype} ({kinds[got.dtype.kind]}), "
                f"expected a {kinds[expected.dtype.kind]} dtype like {expected.dtype}")
    if expected.dtype.kind == "f":
        bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        bad = got != expected
    if not bad.any():
        return None
    indices = np.argwhere(bad)[:_MAX_SHOWN]
    shown = "; ".join(f"index {tuple(int(i) for i in idx)}: got {got[tuple(idx)].item()!r}"
                      f"{_expected(repr(expected[tuple(idx)].item()))}" for idx in indices)
    return (f"the array{where} differs in {int(bad.sum())} of {bad.size} entries "
            f"(shape {got.shape}, dtype {got.dtype}); first mismatches: {shown}")


def tree_problem(got: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-6, path: str = "",
                 exact_dtype: bool = False) -> str | None:
    """The first difference between two plain-data trees as a phrase naming its leaf path, or None.

    ``exact_dtype``: arrays must have the expected dtype itself, not just its kind (for contracts that
    promise one, like "an int32 array" or "the dtype of x")."""
    where = f"`{path}`" if path else "the result"
    options = {"rtol": rtol, "atol": atol, "exact_dtype": exact_dtype}
    # NumPy scalars (a value a check computed) compare as 0-d arrays, with tolerance.
    got = np.asarray(got) if isinstance(got, np.generic) else got
    expected = np.asarray(expected) if isinstance(expected, np.generic) else expected
    if type(expected) is np.ndarray:
        if type(got) is not np.ndarray:
            return f"{where} is {_fmt(got)}, expected an array of shape {expected.shape}"
        return _array_problem(got, expected, rtol, atol, path, exact_dtype)
    if type(expected) is dict:
        if type(got) is not dict:
            return f"{where} is {type(got).__name__} {_fmt(got)}, expected a dict"
        if set(got) != set(expected):
            missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
            return f"{where} has keys {sorted(got)}: missing {missing}, extra {extra}"
        for key in expected:
            problem = tree_problem(got[key], expected[key], path=f"{path}/{key}" if path else key, **options)
            if problem:
                return problem
        return None
    if type(expected) is list:
        if type(got) is not list:
            return f"{where} is {_fmt(got)}, expected a sequence of {len(expected)} items"
        if len(got) != len(expected):
            return f"{where} has {len(got)} items, expected {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = tree_problem(g, e, path=f"{path}[{i}]", **options)
            if problem:
                return problem
        return None
    if type(expected) is float or (type(expected) is int and type(got) is float):
        if type(got) not in (int, float) or not np.isclose(got, expected, rtol=rtol, atol=atol):
            return f"{where} is {_fmt(got)}{_expected(repr(expected))}"
        return None
    if type(got) is not type(expected) or got != expected:
        return f"{where} is {_fmt(got)}{_expected(_fmt(expected))}"
    return None


def expect_match(got: Any, expected: Any, *, call: str, hint: str = "", rtol: float = 1e-5, atol: float = 1e-6,
                 exact_dtype: bool = False) -> None:
    """Fail with a sentence when ``got`` differs from ``expected``: what was called, what differs, a hint."""
    problem = tree_problem(got, expected, rtol=rtol, atol=atol, exact_dtype=exact_dtype)
    if problem:
        raise AssertionError(f"{call}: {problem}." + (f" Hint: {hint}" if hint else ""))


def expect(condition: bool, message: str) -> None:
    """Fail with ``message`` (a full sentence) unless ``condition`` is exactly True."""
    if condition is not True:
        raise AssertionError(message)


def part(data: Any, *path: Any) -> Any:
    """data[path[0]][path[1]]... (dict keys, list indices), or None where the student's data does not have that
    form: the comparison that follows then says what differs."""
    for key in path:
        if type(data) is dict and key in data:
            data = data[key]
        elif type(data) is list and type(key) is int and -len(data) <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def float_array(value: Any, shape: tuple | None = None) -> np.ndarray | None:
    """The value as float64 when it is a floating array (of `shape`, if given), else None."""
    if type(value) is not np.ndarray or value.dtype.kind != "f" or (shape is not None and value.shape != shape):
        return None
    return value.astype(np.float64)
