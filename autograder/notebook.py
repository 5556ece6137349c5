"""Hidden checks inside nbgrader's autograding kernel: the call in each grade cell's hidden block.

    ### BEGIN HIDDEN TESTS
    from autograder.notebook import run_hidden_checks
    run_hidden_checks("gotchas.safe_take", globals())
    ### END HIDDEN TESTS

It runs the same check functions as pytest (autograder/checks), with the notebook's globals as the
implementation, and raises one AssertionError listing every failed check, so nbgrader scores the cell 0.
"""
from __future__ import annotations

import importlib
import os
import warnings

from .harness import Runner
from .probing import NamespaceImpl


def checks_for(task_id: str) -> list:
    """The check functions of a task, in file order, found by their @pytest.mark.task marker."""
    module = importlib.import_module(f"autograder.checks.test_{task_id.split('.', 1)[0]}")
    found = []
    for name, function in vars(module).items():
        marks = getattr(function, "pytestmark", [])
        if name.startswith("test_") and any(m.name == "task" and m.args == (task_id,) for m in marks):
            found.append(function)
    return found


def run_hidden_checks(task_id: str, namespace: dict) -> None:
    checks = checks_for(task_id)
    if not checks:
        raise RuntimeError(f"grader error: no hidden checks are registered for {task_id}")
    seed = int(os.environ.get("JAXKIT_GRADE_SEED", "0"))
    runner = Runner(NamespaceImpl(namespace), task_id.split(".", 1)[0], seed)
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
