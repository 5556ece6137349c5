"""The grader's side of a check: the reference's data computed here, the student's data taken as untrusted.

A check calls ``got, ref = run(probe, *args)``:

- ``ref`` (``Trusted``) is what the probe returns on the reference, run in this process on inputs drawn from
  the probe's seed: its outputs, its reports, the settings it drew (``ref.given``) and, for a round trip,
  what a trusted reader found in its files (``ref.read``).
- ``got`` (``Untrusted``) is what the student's side sent: ``got.out`` (what the student's functions
  returned), ``got.report`` (properties measured beside them) and ``got.read``. It has no ``given``: every
  setting, input and oracle comes from ``ref``.

Points come only from ``got.out``/``got.read`` matching what this process computed; a report can only take
them away (tests/test_forgery.py proves it for every task of every topic). One definition of each check
serves three front ends: pytest (``--impl``), the nbgrader hidden cells, and the sandboxed grader, which
replays what its children sent.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import KIT_ROOT
from ..sandbox import collector, eager_staging, mlir_contexts, probing, wire
from . import plan

mlir_contexts.install()  # every process that computes reference data or judges lowers hundreds of programs
eager_staging.install()  # and stages hundreds of NumPy inputs
collector.tune()  # and allocates millions of short-lived objects: collect them less often

probing.baseline_settings()  # before any student module can change JAX's global settings


@dataclass(frozen=True)
class Untrusted:
    """What the student's process sent for one probe."""
    out: Any
    report: dict
    read: Any = None


@dataclass(frozen=True)
class Trusted:
    """What the probe returned on the reference, computed in the grader's own process."""
    out: Any
    report: dict
    given: dict
    read: Any = None


@dataclass(frozen=True)
class Call:
    """One probe run for one task: the same call always draws the same inputs."""
    task: str
    probe: Callable = field(compare=False)
    args: tuple
    seed: int

    @property
    def topic(self) -> str:
        return self.task.split(".", 1)[0]

    @property
    def function(self) -> str:
        return self.task.split(".", 1)[1]

    @property
    def key(self) -> str:
        return f"{self.task}|{self.probe.__name__}|{json.dumps(list(self.args))}|{self.seed}"



def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def make_call(grade_seed: int, task_id: str, probe: Callable, args: tuple) -> Call:
    return Call(task_id, probe, tuple(args), _digest(f"{grade_seed}:{task_id}:{probe.__qualname__}:{args!r}"))


class StudentError(AssertionError):
    """Student code raised (or sent something that is not data) while a probe ran: the check fails."""


class GraderError(RuntimeError):
    """The reference failed a probe: a bug in the kit, never the student's fault."""


ADVICE = {
    "NotImplementedError": "The function is still the stub: replace `raise NotImplementedError()` with your "
                           "implementation.",
    "AttributeError": "Check that the function exists with exactly the name and signature of the stub.",
    "ProbeDataError": "Return JAX or NumPy arrays (or the containers the docstring describes).",
    "TracerBoolConversionError": "That is Python control flow (`if`, `while`, `and`) on a traced value: use "
                                 "jnp.where, lax.cond or lax.while_loop.",
    "ConcretizationTypeError": "A traced value was used where a concrete Python value is needed (a shape, "
                               "`int()`, a Python loop bound): keep shapes static.",
    "TracerArrayConversionError": "A traced value was passed to NumPy: use jax.numpy instead.",
    "KeyReuseError": "A PRNG key was used twice: split it and use each subkey once.",
    "ForbiddenCall": "This task asks you to do that part yourself: the docstring says what not to use.",
    "BundleError": "Write only the checkpoint files the docstring asks for, within the size limit.",
    "ReadBack": "Check that your function saved (and finished saving) what the docstring asks for.",
}


def probe_summary(probe: Callable) -> str:
    doc = inspect.getdoc(probe) or probe.__name__
    return " ".join(doc.split("\n\n")[0].split()).rstrip(".")


def student_data(call: Call, outcome: Any) -> Untrusted:
    """Turn what the student's side sent into ``Untrusted`` data, or fail the check with a sentence."""
    __tracebackhide__ = True
    if type(outcome) is not dict or outcome.get("ok") not in (True, False):
        raise StudentError(f"While checking that {probe_summary(call.probe)}, the grading process sent "
                           "something that is not a result.")
    if outcome["ok"] is False:
        err = outcome.get("error")
        if type(err) is not dict or not all(type(err.get(k)) is str for k in ("type", "message", "where")):
            raise StudentError(f"While checking that {probe_summary(call.probe)}, your code failed.")
        advice = ADVICE.get(err["type"], "Read the docstring again; the traceback shows where in your code it "
                                         "broke.")
        where = f"\n{err['where']}" if err["where"] else ""
        raised = f"{err['type']}: {err['message']}" if err["message"] else err["type"]
        raise StudentError(f"While checking that {probe_summary(call.probe)}, your code raised {raised}. "
                           f"{advice}{where}")
    data = outcome.get("data")
    reader = getattr(call.probe, "reader", None)
    allowed = {"out", "report", "read"} if reader else {"out", "report"}
    if type(data) is not dict or not {"out", "report"} <= set(data) <= allowed or type(data["report"]) is not dict \
            or (reader is not None and "read" not in data):
        raise StudentError(f"While checking that {probe_summary(call.probe)}, the grading process sent data of an "
                           "unexpected form.")
    return Untrusted(data["out"], data["report"], data.get("read"))


def read_back_failure(why: str) -> dict:
    """The outcome of a round trip whose files the trusted reader could not read (the same in every mode)."""
    return {"ok": False, "error": {"type": "ReadBack", "where": "",
                                   "message": f"reading back the files your code wrote failed: {why}"[:600]}}


def _round_trip(value: Any) -> Any:
    """Exactly what crossing the channel does to data: the in-process path sees what the sandbox sees."""
    return wire.loads(wire.dumps(value))


class Reference:
    """The reference's data for a topic, computed in this process and kept for the run.

    `secret` seeds the trusted writers of round trips. It never leaves this process (the sandboxed grader keeps
    one per output folder in OUT/run.json; in-process front ends draw one per session), so a student's process,
    which knows its own probe seeds, still cannot work out what a writer wrote."""

    def __init__(self, topic: str, secret: str | None = None):
        self.topic = topic
        self.secret = secret or secrets.token_hex(16)
        self._module = None
        self._data: dict[str, Trusted] = {}
        self._bundles: dict[str, dict] = {}

    @property
    def module(self):
        if self._module is None:
            self._module = probing.load_module(str(KIT_ROOT / "solutions" / f"{self.topic}.py"), label="reference")
        return self._module

    def writer_files(self, call: Call) -> dict | None:
        """The trusted writer's files for a round trip (None for other probes), drawn from the secret seed."""
        if getattr(call.probe, "writer", None) is None:
            return None
        if call.key not in self._bundles:
            self._bundles[call.key] = probing.run_writer(call.probe, _digest(f"{self.secret}:{call.key}"), call.args)
        return self._bundles[call.key]

    def data(self, call: Call) -> Trusted:
        if call.key not in self._data:
            outcome = probing.run_probe(call.probe, self.module, call.seed, call.args, files=self.writer_files(call),
                                        keep_given=True)
            if not outcome["ok"]:
                err = outcome["error"]
                raise GraderError(f"the reference failed probe {call.probe.__qualname__} for {call.task}: "
                                  f"{err['type']}: {err['message']}\n{err['where']}")
            data = outcome["data"]
            read = None
            if getattr(call.probe, "reader", None) is not None:
                read = probing.run_reader(call.probe, call.seed, call.args, data.pop("files"))
            data = _round_trip({**data, "read": read})
            self._data[call.key] = Trusted(data["out"], data["report"], data["given"], data["read"])
        return self._data[call.key]

    def release(self) -> None:
        """Free the reference module and JAX's compiled programs once every call's data is computed (the
        sandboxed grader plans topic by topic, so its memory peaks at one topic's programs, not all of them)."""
        import gc

        import jax

        self._module = None
        jax.clear_caches()
        gc.collect()

    # The sandboxed grader keeps computed reference data between runs (grading/grade.py).
    def export(self) -> dict:
        return {"data": {k: [v.out, v.report, v.given, v.read] for k, v in self._data.items()},
                "bundles": self._bundles}

    def load(self, saved: dict) -> None:
        self._data.update({k: Trusted(*v) for k, v in saved["data"].items()})
        self._bundles.update(saved["bundles"])


class InProcess:
    """The student's side run in this process, for code we run anyway: the kit's own fixtures, a
    self-learner's files, a notebook's kernel. Same steps as the sandboxed child, same channel encoding."""

    def __init__(self, impl: Any, reference: Reference):
        self.impl, self.reference = impl, reference
        self._substitutes: dict[int, dict] = {}
        self._outcomes: dict[str, dict] = {}

    def substitutes(self, function: str) -> dict:
        group = plan.groups(self.reference.topic)[function]
        if group not in self._substitutes:
            self._substitutes[group] = probing.compile_substitutes(
                self.impl, plan.substitute_sources(self.reference.topic, group))
        return self._substitutes[group]

    def __call__(self, call: Call) -> dict:
        if call.key not in self._outcomes:
            outcome = probing.run_probe(call.probe, self.impl, call.seed, call.args,
                                        substitutes=self.substitutes(call.function),
                                        files=self.reference.writer_files(call))
            if outcome["ok"] and getattr(call.probe, "reader", None) is not None:
                files = outcome["data"].pop("files")
                try:
                    outcome["data"]["read"] = probing.run_reader(call.probe, call.seed, call.args, files)
                except Exception as exc:  # noqa: BLE001 - what the student wrote could not be read at all
                    outcome = read_back_failure(probing.describe_exception(exc, None)["message"])
            self._outcomes[call.key] = _round_trip(outcome)
        return self._outcomes[call.key]


class Runner:
    """``run(probe, *args) -> (Untrusted, Trusted)`` for one task; raises StudentError if student code failed."""

    def __init__(self, task_id: str, grade_seed: int, student: Callable[[Call], Any], reference: Reference):
        self.task_id, self.grade_seed = task_id, grade_seed
        self.student, self.reference = student, reference

    def call(self, probe: Callable, *args) -> Call:
        return make_call(self.grade_seed, self.task_id, probe, args)

    def __call__(self, probe: Callable, *args) -> tuple[Untrusted, Trusted]:
        __tracebackhide__ = True  # pytest: show the check's line, not the runner
        call = self.call(probe, *args)
        expected = self.reference.data(call)
        return student_data(call, self.student(call)), expected
