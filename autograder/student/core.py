"""The student command's data: tasks, where they are, whether they pass, hints asked for, resets.

Runs with only what a student receives (the exercises folder and the pinned packages). Task data comes from
`tasks.json` beside this file (the registry's public part: ids, points, goals, hints, visible test names,
stubs); what the student has done lives in `.jaxkit/` in the exercises folder.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
EXERCISES = PACKAGE.parent
STATE = EXERCISES / ".jaxkit"


@dataclass(frozen=True)
class Task:
    id: str
    topic: str
    function: str
    points: int
    goal: str
    hints: tuple[str, ...]
    tests: tuple[str, ...]
    stub: str


def catalogue() -> dict[str, list[Task]]:
    """{topic: tasks} in curriculum order."""
    data = json.loads((PACKAGE / "tasks.json").read_text(encoding="utf-8"))
    return {topic["slug"]: [Task(id=t["id"], topic=topic["slug"], function=t["id"].split(".", 1)[1],
                                 points=t["points"], goal=t["goal"], hints=tuple(t["hints"]), tests=tuple(t["tests"]),
                                 stub=t["stub"]) for t in topic["tasks"]] for topic in data["topics"]}


def all_tasks() -> list[Task]:
    return [task for tasks in catalogue().values() for task in tasks]


class Unknown(LookupError):
    """A task name that matches no task, or more than one."""


def find(name: str) -> Task:
    """A task by id (`gotchas.ema`) or by function name alone (`ema`) when that is unambiguous."""
    tasks = all_tasks()
    exact = [t for t in tasks if t.id == name]
    if exact:
        return exact[0]
    matches = [t for t in tasks if t.function == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Unknown(f"`{name}` is a task in several topics: {', '.join(t.id for t in matches)}. Use the full id.")
    close = [t.id for t in tasks if name.lower() in t.id.lower()]
    raise Unknown(f"No task `{name}`." + (f" Did you mean {', '.join(close[:5])}?" if close else
                                          " `python -m jaxkit list` shows them all."))


# ------------------------------------------------------------------------------------------ the student's files
def source_of(topic: str) -> Path:
    return EXERCISES / f"{topic}.py"


def _functions(path: Path) -> dict[str, ast.FunctionDef] | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _body(node: ast.FunctionDef) -> str:
    body = node.body[1:] if node.body and isinstance(node.body[0], ast.Expr) \
        and isinstance(node.body[0].value, ast.Constant) else node.body  # the docstring does not count
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def line_of(task: Task) -> int | None:
    functions = _functions(source_of(task.topic))
    node = (functions or {}).get(task.function)
    return node.lineno if node else None


def untouched(task: Task) -> bool | None:
    """True while the task is still the stub; None when the file cannot be read or lacks the function."""
    functions = _functions(source_of(task.topic))
    if functions is None or task.function not in functions:
        return None
    stub = _functions_from_text(task.stub).get(task.function)
    return stub is not None and _body(functions[task.function]) == _body(stub)


def _functions_from_text(text: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(text)
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


# ------------------------------------------------------------------------------------------ remembered state
def _load(name: str) -> dict:
    try:
        return json.loads((STATE / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save(name: str, data: dict) -> None:
    STATE.mkdir(exist_ok=True)
    temporary = STATE / f".{name}.tmp"
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, STATE / name)


def next_hint(task: Task, level: int | None = None) -> tuple[int, str]:
    """The next hint level for this task (remembered), or `level` itself; returns (level, text)."""
    seen = _load("hints.json")
    if level is None:
        level = min(seen.get(task.id, 0) + 1, len(task.hints))
    level = max(1, min(level, len(task.hints)))
    seen[task.id] = max(seen.get(task.id, 0), level)
    _save("hints.json", seen)
    return level, task.hints[level - 1]


def reset(task: Task) -> Path:
    """Put the task's stub back in the student's file, after saving a copy; return the backup's path."""
    path = source_of(task.topic)
    text = path.read_text(encoding="utf-8")
    node = (_functions(path) or {}).get(task.function)
    stub = task.stub.rstrip("\n")
    backups = STATE / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    backup = backups / f"{task.topic}-{time.strftime('%Y%m%d-%H%M%S')}.py"
    backup.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    if node is None:  # deleted or broken: put the stub back at the end
        lines += ["", "", stub]
    else:
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        lines[first - 1:node.end_lineno] = stub.splitlines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return backup


# ------------------------------------------------------------------------------------------ status
NOT_STARTED, PASSING, FAILING, BROKEN = "not started", "passed", "failing", "cannot load"


def _fingerprint(topic: str) -> str:
    digest = hashlib.sha256()
    for path in (source_of(topic), EXERCISES / "tests" / f"test_{topic}.py", PACKAGE / "tasks.json"):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def run_visible_tests(topic: str) -> dict[str, str]:
    """{test name: "passed" | "failed"} for one topic's visible tests, run in a fresh interpreter."""
    STATE.mkdir(exist_ok=True)
    junit = STATE / f"junit-{topic}.xml"
    junit.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "pytest", f"tests/test_{topic}.py", "-q", "-p", "no:cacheprovider",
                    f"--junitxml={junit}", "--tb=no", "-o", "addopts="], cwd=EXERCISES, capture_output=True,
                   text=True, env=dict(os.environ, JAXKIT_QUIET="1"))
    results = {}
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            failed = case.find("failure") is not None or case.find("error") is not None
            results[case.get("name")] = "failed" if failed else "passed"
    return results


def statuses(topics: list[str] | None = None, refresh: bool = False) -> dict[str, str]:
    """{task id: status}. A task still equal to its stub is `not started` without running anything; other
    topics run their visible tests once, and again only when the topic's file or tests change."""
    cache = _load("status.json")
    result: dict[str, str] = {}
    for topic, tasks in catalogue().items():
        if topics is not None and topic not in topics:
            continue
        fresh = {t.id: untouched(t) for t in tasks}
        if all(v is True for v in fresh.values()):
            result.update({t.id: NOT_STARTED for t in tasks})
            continue
        fingerprint = _fingerprint(topic)
        entry = cache.get(topic)
        if refresh or not entry or entry.get("fingerprint") != fingerprint:
            entry = {"fingerprint": fingerprint, "tests": run_visible_tests(topic)}
            cache[topic] = entry
        for task in tasks:
            outcomes = [entry["tests"].get(name) for name in task.tests]
            if fresh[task.id] is None:
                result[task.id] = BROKEN
            elif fresh[task.id]:
                result[task.id] = NOT_STARTED
            elif outcomes and all(o == "passed" for o in outcomes):
                result[task.id] = PASSING
            else:
                result[task.id] = FAILING
    _save("status.json", cache)
    return result


def first_unfinished(status: dict[str, str]) -> Task | None:
    for task in all_tasks():
        if status.get(task.id) != PASSING:
            return task
    return None
