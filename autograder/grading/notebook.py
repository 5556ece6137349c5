"""Hidden checks inside nbgrader's autograding kernel: the call in each grade cell's hidden block.

    ### BEGIN HIDDEN TESTS
    from autograder.grading.notebook import run_hidden_checks
    run_hidden_checks("gotchas.safe_take", globals())
    ### END HIDDEN TESTS

It runs the same check functions as pytest (autograder/checks), with the notebook's globals as the
implementation, and raises one AssertionError listing every failed check, so nbgrader scores the cell 0.
"""
from __future__ import annotations

import os
import warnings

from ..sandbox.probing import NamespaceImpl
from .plan import checks_for
from .runner import InProcess, Reference, Runner

_references: dict[str, Reference] = {}


def run_hidden_checks(task_id: str, namespace: dict) -> None:
    checks = checks_for(task_id)
    if not checks:
        raise RuntimeError(f"grader error: no hidden checks are registered for {task_id}")
    seed = int(os.environ.get("JAXKIT_GRADE_SEED", "0"))
    topic = task_id.split(".", 1)[0]
    reference = _references.setdefault(topic, Reference(topic))
    runner = Runner(task_id, seed, InProcess(NamespaceImpl(namespace), reference), reference)
    failures = []
    # nbgrader scores any stderr output as a failure: warnings from JAX must not cost a correct answer.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for check in checks:
            try:
                check(runner)
            except AssertionError as exc:
                failures.append(f"- {check.__name__}: {exc}")
    if failures:
        raise AssertionError(f"{len(failures)} of {len(checks)} hidden check(s) of {task_id} failed:\n"
                             + "\n".join(failures))
    print(f"{task_id}: all {len(checks)} hidden check(s) passed.")
