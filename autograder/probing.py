"""The side that runs student code: load an implementation, run a probe on it, return plain data.

A probe is a function ``probe(impl, rng, *args) -> data`` in ``autograder/probes/<topic>.py``. It calls
student functions on inputs it draws from ``rng`` and returns only plain data: numpy arrays of numbers or
booleans, Python numbers, strings, booleans, None, and lists/dicts of them. Verdicts are never taken here:
``autograder/checks`` compares what a probe returns for the student with what it returns for the reference.
This module imports no verdict code, so it can run inside a sandboxed child process.
"""
from __future__ import annotations

import importlib.util
import itertools
import sys
import traceback
import types
from functools import wraps
from pathlib import Path
from typing import Any, Callable

import numpy as np

_counter = itertools.count()
_MAX_LIST = 10_000


def load_module(path: str | Path, label: str = "impl") -> types.ModuleType:
    """Import a .py file by path under a fresh, unique module name (never via sys.path)."""
    path = Path(path).resolve()
    name = f"_graded_{label}_{path.stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


class NamespaceImpl:
    """A notebook's globals seen as an implementation module: attribute access into the live dict."""

    __slots__ = ("_ns",)

    def __init__(self, namespace: dict):
        self._ns = namespace

    def __getattr__(self, name):
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(f"the notebook defines no `{name}`") from None

    @property
    def __dict__(self):  # vars(impl) is the notebook's globals, as for a module
        return self._ns


class ProbeDataError(TypeError):
    """A student function returned something that is not plain data."""


def plain(value: Any, where: str = "result") -> Any:
    """Convert a value to plain data, or raise ProbeDataError naming where the odd value sits.

    jax and numpy arrays become numpy arrays (copied); other objects are refused, so no student-defined
    ``__eq__`` or ``__bool__`` ever reaches a verdict.
    """
    import jax

    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":  # np.float32(1.0), np.bool_(True)
        value = np.asarray(value)
    if isinstance(value, jax.Array) and not jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
        value = np.asarray(value)
    if type(value) is np.ndarray:
        if value.dtype.kind not in "biuf":
            raise ProbeDataError(f"{where} is an array of dtype {value.dtype}; expected numbers or booleans")
        return value.copy()
    if type(value) in (list, tuple):
        if len(value) > _MAX_LIST:
            raise ProbeDataError(f"{where} is a sequence of {len(value)} items; too long")
        return [plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if type(value) is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise ProbeDataError(f"{where} has a key of type {type(k).__name__}; expected str")
            out[k] = plain(v, f"{where}[{k!r}]")
        return out
    raise ProbeDataError(f"{where} is a {type(value).__module__}.{type(value).__qualname__}; "
                         "expected an array, a number, or a list/dict of them")


def describe_exception(exc: BaseException, impl_file: str | None) -> dict:
    """Plain-data description of an exception raised by student code, with the student's frames only."""
    frames = traceback.extract_tb(exc.__traceback__)
    student_frames = [f for f in frames if impl_file is None or f.filename == impl_file
                      or f.filename.startswith("<ipython-input") or "/ipykernel_" in f.filename]
    where = "".join(traceback.format_list(student_frames[-3:])).rstrip()
    message = str(exc).strip().splitlines()
    return {"type": type(exc).__name__, "message": message[0][:500] if message else "",
            "where": where[:2000]}


def run_probe(probe: Callable, impl: Any, seed: int, args: tuple = ()) -> dict:
    """Run one probe; return {"ok": True, "data": ...} or {"ok": False, "error": {...}}.

    Exceptions from student code, SystemExit included, become data. KeyboardInterrupt still stops a
    student's own pytest run; the sandboxed grader treats it in the child like any other failure."""
    rng = np.random.default_rng(seed)
    impl_file = getattr(impl, "__file__", None)
    try:
        data = plain(probe(impl, rng, *args))
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - student code may raise anything
        return {"ok": False, "error": describe_exception(exc, impl_file)}
    return {"ok": True, "data": data}


def changed_globals(impl: Any, call: Callable[[], Any]) -> list[str]:
    """Run ``call()`` and return the names of the implementation's globals it rebound or mutated."""

    def snapshot() -> dict:
        shot = {}
        for name, value in list(vars(impl).items()):
            if name.startswith("__") or isinstance(value, (types.ModuleType, types.FunctionType, type)):
                continue
            try:
                content = repr(value)[:4000] if isinstance(value, (list, dict, set, np.ndarray)) else None
            except Exception:  # noqa: BLE001
                content = None
            shot[name] = (id(value), content)
        return shot

    before = snapshot()
    call()
    after = snapshot()
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def primitive_names(jaxpr) -> set[str]:
    """Every primitive in a (closed) jaxpr, recursing into sub-jaxprs (cond branches, loop bodies, jit)."""
    import jax.extend.core as jex

    names: set[str] = set()
    inner = getattr(jaxpr, "jaxpr", jaxpr)
    for eqn in inner.eqns:
        names.add(eqn.primitive.name)
        for param in eqn.params.values():
            for sub in param if isinstance(param, (list, tuple)) else (param,):
                if isinstance(sub, (jex.ClosedJaxpr, jex.Jaxpr)):
                    names |= primitive_names(sub)
    return names


def count_equations(jaxpr) -> int:
    """Number of equations, sub-jaxprs included: grows with a Python loop that unrolls."""
    import jax.extend.core as jex

    inner = getattr(jaxpr, "jaxpr", jaxpr)
    total = 0
    for eqn in inner.eqns:
        total += 1
        for param in eqn.params.values():
            for sub in param if isinstance(param, (list, tuple)) else (param,):
                if isinstance(sub, (jex.ClosedJaxpr, jex.Jaxpr)):
                    total += count_equations(sub)
    return total


def raised(call: Callable[[], Any]) -> str | None:
    """Run call(); return the exception's type name, or None when it returned normally."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return None


_memo_results: dict = {}


def memo_probe(*names: str):
    """Reuse a probe's data when several checks run it on the same functions with the same inputs.

    The key holds the implementation's function objects themselves (a redefined function is a new key) and
    the generator's state (the same seed gives the same inputs)."""
    def wrap(probe):
        @wraps(probe)
        def cached(impl, rng, *args):
            key = (probe.__name__, tuple(getattr(impl, n) for n in names), repr(rng.bit_generator.state), args)
            if key not in _memo_results:
                _memo_results[key] = probe(impl, rng, *args)
            return _memo_results[key]
        return cached
    return wrap
