# Generated from autograder/student/pytest_plugin.py (sha256 c34a6580d176) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Readable visible-test runs for students (loaded by the exercises' conftest.py).

- A stub that still raises, a missing function, a syntax error and a function that returned None each get one
  plain sentence instead of a traceback.
- After the run, one screen: per topic how many tasks pass, one line per failing task, and the next task with
  its first hint.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict

import pytest

from . import core

_results: dict[str, str] = {}  # test name -> "passed" | first line of the failure


def _tasks_by_test() -> dict[str, core.Task]:
    return {name: task for task in core.all_tasks() for name in task.tests}


def _sentence(text: str) -> str | None:
    """A plain sentence for the failures every student meets first, or None to keep pytest's report."""
    for task in core.all_tasks():
        stub_line = f"{task.topic}.py"
        if "NotImplementedError" in text and re.search(rf"in {task.function}\b", text) and stub_line in text:
            line = core.line_of(task)
            return (f"{task.id} is still the stub ({task.topic}.py:{line}): replace `raise NotImplementedError()` "
                    "with your code, then run the tests again.")
    missing = re.search(r"NameError: name '(\w+)' is not defined", text)
    if missing and any(t.function == missing.group(1) for t in core.all_tasks()):
        task = next(t for t in core.all_tasks() if t.function == missing.group(1))
        return (f"{task.topic}.py has no function `{task.function}` (renamed or deleted?). "
                f"`python -m jaxkit reset {task.id}` puts the stub back.")
    if re.search(r"'NoneType' object (has no attribute|is not subscriptable|is not iterable)", text):
        return "A function under test returned None: is a `return` statement missing?"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        sentence = _sentence(str(report.longrepr))
        if sentence:
            report.longrepr = sentence


def pytest_collectreport(report):
    if report.failed:
        text = str(report.longrepr)
        syntax = re.search(r'File ".*?(\w+\.py)", line (\d+)[\s\S]*?(SyntaxError|IndentationError): (.*)', text)
        if syntax:
            report.longrepr = (f"{syntax.group(1)} line {syntax.group(2)} has a {syntax.group(3)}: "
                               f"{syntax.group(4).strip()}. No test of this topic can run until the file loads.")
        else:
            report.longrepr = _sentence(text) or report.longrepr


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.failed):
        name = report.nodeid.split("::")[-1]
        if report.passed:
            _results.setdefault(name, "passed")
        else:
            text = str(report.longrepr).strip()
            lines = [line for line in text.splitlines() if line.startswith("E ")]
            _results[name] = (lines[0][1:].strip() if lines else text.splitlines()[-1] if text else "failed")[:200]


def pytest_terminal_summary(terminalreporter):
    if os.environ.get("JAXKIT_QUIET") or not _results:
        return
    by_test = _tasks_by_test()
    outcome: dict[str, list[str]] = defaultdict(list)
    for name, result in _results.items():
        if name in by_test:
            outcome[by_test[name].id].append(result)
    write = terminalreporter.write_line
    write("")
    following = None
    for topic, tasks in core.catalogue().items():
        ran = [t for t in tasks if t.id in outcome]
        if not ran:
            continue
        passing = [t for t in ran if all(r == "passed" for r in outcome[t.id])]
        write(f"{topic}: {len(passing)} of {len(tasks)} tasks pass their visible tests.", bold=True)
        for task in ran:
            if task not in passing:
                first = next(r for r in outcome[task.id] if r != "passed")
                write(f"  x {task.id}: {first.removeprefix(task.id + ' ')}", red=True)
                following = following or task
    if following is not None:
        write(f"Next: {following.id}: {following.goal}")
        write(f"Hint: {following.hints[0]}  (more: python -m jaxkit hint {following.function})")
