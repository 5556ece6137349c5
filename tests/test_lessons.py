"""What the lessons say is true on the pinned stack, and the hints teach without handing over the answer.

- Every claim a lesson makes about JAX, Flax, Optax or Orbax behaviour is written in its markdown as a doctest
  (``>>>`` lines inside a ```python block); each runs here, in the master's namespace, on the pinned versions.
- Each topic's lesson makes at least one such claim.
- Hint level 1 (a nudge) holds no line of the task's solution, no code at all; no hint level repeats a line of
  the solution verbatim (hints reach students through the notebook and the student command).
"""
from __future__ import annotations

import doctest
import re

import pytest

from kit import ROOT, TOPICS, registry

from autograder.build.master import read
from autograder.sandbox.probing import load_module

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL


def lesson_text(topic: str) -> str:
    master = read(topic)
    text = "\n\n".join([master.docstring, *(c.markdown for c in master.cells if c.kind == "markdown")])
    # A code fence ends an example's expected output, as a blank line does.
    return re.sub(r"^\s*```.*$", "", text, flags=re.MULTILINE)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_claim_in_the_lesson_runs(topic):
    namespace = dict(vars(load_module(str(ROOT / "solutions" / f"{topic}.py"), label="lesson")))
    test = doctest.DocTestParser().get_doctest(lesson_text(topic), namespace, f"{topic} lesson", f"{topic}.py", 0)
    assert test.examples, f"the {topic} lesson states no behaviour as a doctest (>>> in a ```python block)"
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    output: list[str] = []
    runner.run(test, out=output.append, clear_globs=False)
    assert runner.failures == 0, "a claim in the lesson is not true on the pinned stack:\n" + "".join(output)


def solution_lines(topic: str) -> dict[str, list[str]]:
    """Substantive lines of each task's solution region (comments excluded), by task function."""
    lines: dict[str, list[str]] = {}
    function, inside = None, False
    for cell in read(topic).cells:
        for line in cell.text.splitlines() if cell.kind == "task" else ():
            stripped = line.strip()
            if line.startswith("def "):
                function = line[4:line.index("(")]
            elif "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and len(stripped) >= 12 and not stripped.startswith("#"):
                lines.setdefault(function, []).append(stripped)
    return lines


CODE = re.compile(r"[A-Za-z_]\w*\(|\w\[|==|\w\s*=\s*\S|\blambda\b")


@pytest.mark.parametrize("topic", TOPICS)
def test_hints_do_not_hand_over_the_solution(topic):
    secrets = solution_lines(topic)
    problems = []
    for task in registry.load()[topic].tasks:
        mine = secrets.get(task.function, [])
        for level, hint in enumerate(task.hints, start=1):
            flat = " ".join(hint.split())
            problems += [f"{task.id} hint {level} quotes the solution: {line}" for line in mine if line in flat]
        if CODE.search(task.hints[0]):
            problems.append(f"{task.id} hint 1 reads like code; level 1 is a nudge in words: {task.hints[0]!r}")
    assert not problems, "\n".join(problems)
