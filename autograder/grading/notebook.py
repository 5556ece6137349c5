"""Hidden checks inside nbgrader's autograding kernel: the call in each grade cell's hidden block.

    ### BEGIN HIDDEN TESTS
    from autograder.grading.notebook import run_hidden_checks
    run_hidden_checks("gotchas.safe_take", globals())
    ### END HIDDEN TESTS

It runs the same check functions as pytest (autograder/checks), with the notebook's globals as the
implementation. When a check fails it raises one `HiddenChecksFailed` (an AssertionError, so nbgrader scores
the cell 0) whose rendering in the notebook, and so in `nbgrader generate_feedback`'s HTML, is the failure
message alone: IPython shows an exception's `_render_traceback_()` instead of a traceback, so no frame of the
kit, no grader path and no hidden-check code reaches the student. As in the sandboxed grader's feedback, the
messages say where a result differs, never the expected value (compare.SHOW_EXPECTED), and name no host path.
"""
from __future__ import annotations

import os
import warnings

from . import compare
from ..sandbox.probing import NamespaceImpl
from .plan import checks_for
from .runner import InProcess, Reference, Runner

_references: dict[str, Reference] = {}


class HiddenChecksFailed(AssertionError):
    """Hidden checks of one task failed; rendered as its message only (no traceback into the kit)."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def _scrub(text: str) -> str:
    from .grade import scrub  # the sandboxed grader's own list of host paths

    return scrub(text)


def run_hidden_checks(task_id: str, namespace: dict) -> None:
    checks = checks_for(task_id)
    if not checks:
        raise HiddenChecksFailed(f"grader error: no hidden checks are registered for {task_id}")
    seed = int(os.environ.get("JAXKIT_GRADE_SEED", "0"))
    topic = task_id.split(".", 1)[0]
    failures = []
    shown = compare.SHOW_EXPECTED
    compare.SHOW_EXPECTED = False  # feedback goes back to students: never a hidden expected value
    try:
        reference = _references.setdefault(topic, Reference(topic))
        runner = Runner(task_id, seed, InProcess(NamespaceImpl(namespace), reference), reference)
        # nbgrader scores any stderr output as a failure: warnings from JAX must not cost a correct answer.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for check in checks:
                try:
                    check(runner)
                except AssertionError as exc:
                    failures.append(f"- {_scrub(str(exc))}")
    except Exception as exc:  # noqa: BLE001 - the grader's own failure: a failed cell with a plain message
        raise HiddenChecksFailed(f"the hidden checks of {task_id} could not run ({type(exc).__name__}: "
                                 f"{_scrub(str(exc))[:300]}). This is a problem of the grader, not of your "
                                 "work: tell your instructor.") from None
    finally:
        compare.SHOW_EXPECTED = shown
    if failures:
        raise HiddenChecksFailed(f"{len(failures)} of {len(checks)} hidden check(s) of {task_id} failed:\n"
                                 + "\n".join(failures)) from None
    print(f"{task_id}: all {len(checks)} hidden check(s) passed.")
