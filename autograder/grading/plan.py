"""Which checks grade a task, which other tasks its probes lean on, and how tasks are spread over processes.

A probe of task X may need other tasks' functions (``train`` calls ``sgd_step``; a probe builds its inputs
with ``replicate``). While X is graded those are the reference's definitions (``probing.compile_substitutes``),
so a mistake costs only its own task. The reference's code of a task must never sit in a process that grades
that same task, before or while it does. So tasks are split into groups (no task shares a group with a task
it depends on), and the groups of every topic into lanes, one sandboxed child per lane and student. A lane
grades its steps (a topic's group) in a fixed order and is handed each step's reference code only when the
step starts, after every earlier step's results are in, and never a task named like one the lane grades then
or later (in any topic). Everything here is read statically from the sources (the checks, the probes, the
masters), for every topic of the kit at once: the same groups, lanes and substitutes serve pytest, nbgrader
and the sandboxed grader.
"""
from __future__ import annotations

import ast
import importlib
from functools import cache

from .. import KIT_ROOT, registry
from ..build.master import function_sources, master_path


def checks_for(task_id: str) -> list:
    """The check functions of a task, in file order, found by their @pytest.mark.task marker."""
    module = importlib.import_module(f"autograder.grading.checks.test_{task_id.split('.', 1)[0]}")
    found = []
    for name, function in vars(module).items():
        marks = getattr(function, "pytestmark", [])
        if name.startswith("test_") and any(m.name == "task" and m.args == (task_id,) for m in marks):
            found.append(function)
    return found


def _module_functions(path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(edges.get(name, ()))
    return seen


def _names(node: ast.AST) -> set[str]:
    """The global names a function may look up: names it reads, less its parameters and the names it binds."""
    read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
    for inner in ast.walk(node):
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = inner.args
            bound |= {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                      *filter(None, [arguments.vararg, arguments.kwarg])]}
            if not isinstance(inner, ast.Lambda) and inner is not node:
                bound.add(inner.name)
    return read - bound


@cache
def dependencies(topic: str) -> dict[str, frozenset[str]]:
    """For each task function: the other task functions its probes or its reference definition may call."""
    tasks = {t.function for t in registry.load()[topic].tasks}
    probes_path = KIT_ROOT / "autograder" / "sandbox" / "probes" / f"{topic}.py"
    checks_path = KIT_ROOT / "autograder" / "grading" / "checks" / f"test_{topic}.py"

    master = _module_functions(master_path(topic))
    master_edges = {name: _names(node) for name, node in master.items()}
    probe_defs = _module_functions(probes_path)
    # A probe uses `impl.<name>`; it may reach more of impl through the module's helpers it calls.
    probe_edges = {name: _names(node) for name, node in probe_defs.items()}
    probe_attrs = {name: {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
                          and isinstance(n.value, ast.Name) and n.value.id == "impl"}
                   for name, node in probe_defs.items()}

    used_by_task: dict[str, set[str]] = {name: set() for name in tasks}
    for node in ast.parse(checks_path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        marked = [d for d in node.decorator_list if isinstance(d, ast.Call) and d.args
                  and isinstance(d.args[0], ast.Constant) and ast.unparse(d.func).endswith("mark.task")]
        if not marked:
            continue
        task = marked[0].args[0].value.split(".", 1)[1]
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "run" and call.args:
                probe = ast.unparse(call.args[0]).split(".")[-1]
                for helper in _closure({probe}, probe_edges) & set(probe_defs):
                    used_by_task[task] |= probe_attrs[helper]
    result = {}
    for task in tasks:
        reached = _closure(used_by_task[task] | {task}, master_edges)
        result[task] = frozenset((reached & tasks) - {task})
    return result


@cache
def groups(topic: str) -> dict[str, int]:
    """Task function -> group number: no task shares a group with a task it depends on (in either
    direction), greedily in curriculum order. Most topics need one or two groups. A task in a cycle (it
    relies on a task that relies on it: ``backward`` and ``propagate``) that cannot join the first group gets a
    group of its own, numbered after all the others: its step is the one that needs another lane (``lanes``),
    so that lane's child grades only what must be kept apart, not the tasks that merely share its number."""
    deps = dependencies(topic)
    conflicts = {task: set(deps[task]) for task in deps}
    for task, needed in deps.items():
        for other in needed:
            conflicts[other].add(task)
    in_cycle = {task for task in deps if any(task in deps[other] for other in deps[task])}
    assigned: dict[str, int] = {}
    order = [t.function for t in registry.load()[topic].tasks]
    for task in [t for t in order if t not in in_cycle] + [t for t in order if t in in_cycle]:
        taken = {assigned[other] for other in conflicts[task] if other in assigned}
        if task in in_cycle and 0 in taken:
            assigned[task] = max([*assigned.values(), 0]) + 1
        else:
            assigned[task] = next(number for number in range(len(deps) + 1) if number not in taken)
    return {task: assigned[task] for task in order}


Step = tuple[str, int]  # (topic, group)


def graded(step: Step) -> frozenset[str]:
    """The task functions a step grades."""
    topic, group = step
    return frozenset(task for task, number in groups(topic).items() if number == group)


@cache
def steps() -> tuple[Step, ...]:
    """Every (topic, group) of the kit in the order a lane grades them: group by group across the curriculum,
    so a topic's later groups (the ones that need other tasks' reference code) come after every topic's first."""
    topics = [topic.slug for topic in registry.active_topics()]  # a placeholder topic has no groups
    rounds = max(max(groups(topic).values()) for topic in topics) + 1
    return tuple((topic, group) for group in range(rounds) for topic in topics if group in groups(topic).values())


@cache
def lanes() -> dict[Step, int]:
    """Step -> lane, greedily: a step joins the first lane whose earlier steps need no reference code of a task
    named like one of its own (in any topic: ``cross_entropy`` and ``fit`` exist in several). A step needs
    what its probes and its tasks' reference definitions call (``dependencies``). A cycle (backprop:
    ``propagate`` and ``backward`` each need the other) takes a second lane."""
    handed: list[set[str]] = []
    assigned: dict[Step, int] = {}
    for step in steps():
        names = graded(step)
        lane = next((number for number, seen in enumerate(handed) if not names & seen), len(handed))
        if lane == len(handed):
            handed.append(set())
        handed[lane] |= set().union(*(dependencies(step[0])[task] for task in names))
        assigned[step] = lane
    return assigned


def lane_steps(lane: int) -> list[Step]:
    """The steps one lane grades, in order."""
    return [step for step in steps() if lanes()[step] == lane]


@cache
def substitute_sources(topic: str, group: int) -> dict[str, str]:
    """The reference's source of the topic's task functions that a process grading `group` is handed when
    that step starts: every task function whose name the lane does not grade at this step or later (in any
    topic). Always includes the step's dependencies (``lanes`` sees to it); never a task graded there."""
    if set(groups(topic).values()) == {group}:  # one group: nothing to hand (and no need to plan every topic)
        return {}
    lane = lanes()[(topic, group)]
    order = lane_steps(lane)
    ahead = set().union(*(graded(step) for step in order[order.index((topic, group)):]))
    sources = function_sources(master_path(topic))
    return {task: sources[task] for task in groups(topic) if task not in ahead}
