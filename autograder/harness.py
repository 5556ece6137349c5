"""Runs probes for the checks: on the student's implementation and on the reference, same seed.

One definition of each check serves three front ends: pytest (``autograder/checks`` with the plugin),
the nbgrader hidden-test cells (``autograder.notebook``) and, later, the sandboxed grader, which
replaces ``run_probe`` on the student side with a call into a child process.
"""
from __future__ import annotations

import hashlib
import inspect
from typing import Any, Callable

from . import KIT_ROOT
from .probing import load_module, run_probe


def derive_seed(grade_seed: int, probe: Callable, args: tuple) -> int:
    """A per-probe seed: the same (grade seed, probe, args) always draws the same inputs."""
    key = f"{grade_seed}:{probe.__module__}.{probe.__qualname__}:{args!r}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "little")


class StudentError(AssertionError):
    """Student code raised (or returned non-data) while a probe ran: the check fails, with the reason."""


class GraderError(RuntimeError):
    """The reference failed a probe: a bug in the kit, never the student's fault."""


_reference_modules: dict[str, Any] = {}
_reference_results: dict[tuple, Any] = {}


def reference_module(topic: str):
    if topic not in _reference_modules:
        _reference_modules[topic] = load_module(KIT_ROOT / "solutions" / f"{topic}.py", label="reference")
    return _reference_modules[topic]


def probe_summary(probe: Callable) -> str:
    doc = inspect.getdoc(probe) or probe.__name__
    return doc.splitlines()[0].rstrip(".")


class Runner:
    """``run(probe, *args) -> (student_data, reference_data)``; raises StudentError if student code failed."""

    def __init__(self, impl: Any, topic: str, grade_seed: int, student_runner: Callable = run_probe):
        self.impl, self.topic, self.grade_seed = impl, topic, grade_seed
        self.student_runner = student_runner

    def reference(self, probe: Callable, *args) -> Any:
        seed = derive_seed(self.grade_seed, probe, args)
        key = (probe.__module__, probe.__qualname__, seed, repr(args))
        if key not in _reference_results:
            outcome = run_probe(probe, reference_module(self.topic), seed, args)
            if not outcome["ok"]:
                err = outcome["error"]
                raise GraderError(f"the reference failed probe {probe.__qualname__}: {err['type']}: {err['message']}")
            _reference_results[key] = outcome["data"]
        return _reference_results[key]

    def __call__(self, probe: Callable, *args) -> tuple[Any, Any]:
        __tracebackhide__ = True  # pytest: show the check's line, not the harness
        expected = self.reference(probe, *args)
        outcome = self.student_runner(probe, self.impl, derive_seed(self.grade_seed, probe, args), args)
        if not outcome["ok"]:
            err = outcome["error"]
            advice = {
                "NotImplementedError": "The function is still the stub: replace `raise NotImplementedError()` "
                                       "with your implementation.",
                "AttributeError": "Check that the function exists with exactly the name and signature of the stub.",
                "ProbeDataError": "Return JAX or NumPy arrays (or the containers the docstring describes).",
                "TracerBoolConversionError": "That is Python control flow (`if`, `while`, `and`) on a traced "
                                             "value: use jnp.where, lax.cond or lax.while_loop.",
                "ConcretizationTypeError": "A traced value was used where a concrete Python value is needed "
                                           "(a shape, `int()`, a Python loop bound): keep shapes static.",
                "TracerArrayConversionError": "A traced value was passed to NumPy: use jax.numpy instead.",
                "KeyReuseError": "A PRNG key was used twice: split it and use each subkey once.",
            }.get(err["type"], "Read the docstring again; the traceback shows where in your code it broke.")
            where = f"\n{err['where']}" if err.get("where") else ""
            raised = f"{err['type']}: {err['message']}" if err["message"] else err["type"]
            raise StudentError(f"While checking that {probe_summary(probe)}, your code raised "
                               f"{raised}. {advice}{where}")
        return outcome["data"], expected
