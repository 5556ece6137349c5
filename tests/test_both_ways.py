"""Every task proven both ways, on every grade seed in kit.SEEDS.

- The reference and the correct-but-different alternative pass every hidden check on every seed; the untouched
  stub fails every check with NotImplementedError.
- Each classic mistake (tests/mistakes/<topic>/, at least three per task) fails its own task on every seed, with
  a message containing its EXPECT text. It changes nothing but its task's function (checked statically), and
  while a task is graded every other task it relies on is the reference's (the dependencies the plan declares
  are checked against the calls the reference really makes): so a mistake costs only its own task.
- No hidden check is one that no mistake makes fail.
- The visible tests fail on the stub, and pass on the reference and on the alternative: they are never stricter
  than the hidden checks.
"""
from __future__ import annotations

from collections import defaultdict
from functools import cache

import pytest

from kit import (ROOT, SEEDS, TESTS, TOPICS, composite, copy_exercises, defined_names, grade, mistake_info,
                 mistakes, registry, visible_run)

MIN_MISTAKES = 3


def _topic(topic):
    return pytest.param(topic, id=topic, marks=pytest.mark.xdist_group(topic))


TOPIC_PARAMS = [_topic(t) for t in TOPICS]
MISTAKE_PARAMS = [pytest.param(t, p, id=f"{t}-{p.stem}", marks=pytest.mark.xdist_group(t))
                  for t in TOPICS for p in mistakes(t)]


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("impls")


@cache
def reference_verdicts(topic):
    return grade(topic, ROOT / "solutions" / f"{topic}.py", SEEDS)


@cache
def mistake_verdicts(topic, path, folder):
    task, _ = mistake_info(path)
    return grade(topic, composite(topic, path, folder), SEEDS, tasks=[task])


def _failures(verdicts):
    return [f"{v.task} {v.check} (seed {v.seed}): {v.message[:300]}" for v in verdicts if not v.passed]


@pytest.mark.parametrize("topic", TOPIC_PARAMS)
def test_reference_passes_every_hidden_check_on_every_seed(topic):
    verdicts = reference_verdicts(topic)
    covered = {v.task for v in verdicts}
    missing = [t.id for t in registry.load()[topic].tasks if t.id not in covered]
    assert not missing, f"tasks without hidden checks: {missing}"
    failed = _failures(verdicts)
    assert not failed, "the reference fails hidden checks:\n" + "\n".join(failed)


@pytest.mark.parametrize("topic", TOPIC_PARAMS)
def test_stub_fails_every_hidden_check(topic):
    verdicts = grade(topic, ROOT / "exercises" / f"{topic}.py", SEEDS[:1])
    wrong = [f"{v.task} {v.check}: {v.exception} {v.message[:200]}" for v in verdicts
             if v.passed or v.exception != "StudentError" or "NotImplementedError" not in v.message]
    assert not wrong, "the stubs must fail every check by raising NotImplementedError:\n" + "\n".join(wrong)


@pytest.mark.parametrize("topic", TOPIC_PARAMS)
def test_alternative_passes_on_every_seed(topic, scratch):
    alternative = TESTS / "alternatives" / f"{topic}.py"
    assert alternative.exists(), f"every topic needs tests/alternatives/{topic}.py"
    failed = _failures(grade(topic, composite(topic, alternative, scratch), SEEDS))
    assert not failed, "a correct-but-different solution fails hidden checks:\n" + "\n".join(failed)


@pytest.mark.parametrize("topic", TOPIC_PARAMS)
def test_every_task_has_classic_mistakes(topic):
    counts = defaultdict(int)
    for path in mistakes(topic):
        counts[mistake_info(path)[0]] += 1
    short = {t.id: counts[t.id] for t in registry.load()[topic].tasks if counts[t.id] < MIN_MISTAKES}
    assert not short, f"tasks with fewer than {MIN_MISTAKES} mistakes in tests/mistakes/{topic}/: {short}"


@pytest.mark.parametrize(("topic", "path"), MISTAKE_PARAMS)
def test_mistake_fails_its_task_on_every_seed(topic, path, scratch):
    task, expected = mistake_info(path)
    assert task in {t.id for t in registry.load()[topic].tasks}, f"{path.name}: unknown task {task}"
    verdicts = mistake_verdicts(topic, path, scratch)
    for seed in SEEDS:
        failed = [v for v in verdicts if v.seed == seed and not v.passed]
        assert failed, f"{path.name}: no hidden check of {task} caught this mistake with grade seed {seed}"
        assert any(expected in v.message for v in failed), (
            f"{path.name}: with grade seed {seed} the failure messages do not contain {expected!r}:\n"
            + "\n".join(v.message[:400] for v in failed))


@pytest.mark.parametrize(("topic", "path"), MISTAKE_PARAMS)
def test_mistake_changes_only_its_task(topic, path):
    """A fixture that redefines nothing but its task's function (private helpers of its own aside) cannot
    change another task's outcome: every other task's function stays the reference's."""
    from autograder.build.master import master_path
    from autograder.grading.plan import _module_functions

    task, _ = mistake_info(path)
    function = task.split(".", 1)[1]
    master_names = set(_module_functions(master_path(topic))) | defined_names(master_path(topic))
    modules = {"jax", "jnp", "np", "lax", "optax", "nn", "ocp", "partial", "functools", "math", "os", "numpy",
               "flax", "nnx", "time", "dataclasses", "typing", "Any", "contextlib", "itertools", "collections"}
    extra = {name for name in defined_names(path) - {function} - modules
             if not name.startswith("_") or name in master_names}
    assert function in defined_names(path), f"{path.name} does not define {function}"
    assert not extra, f"{path.name} also redefines {sorted(extra)}: a mistake fixture changes one task only"


@pytest.mark.parametrize("topic", TOPIC_PARAMS)
def test_declared_dependencies_cover_the_calls_the_reference_makes(topic):
    """While a task's probes run on the reference, every other task function it calls is one the plan knows
    about, so the sandbox grades the task with the reference's version of it."""
    from autograder.grading.grade import Recorder
    from autograder.grading.plan import checks_for, dependencies
    from autograder.grading.runner import Reference, Runner

    reference = Reference(topic)
    module = reference.module
    functions = [t.function for t in registry.load()[topic].tasks]
    current, calls = [None], defaultdict(set)

    def recording(name, original):
        def wrapper(*args, **kwargs):
            if current[0] not in (None, name):
                calls[current[0]].add(name)
            return original(*args, **kwargs)
        return wrapper

    for name in functions:
        setattr(module, name, recording(name, getattr(module, name)))
    for task in registry.load()[topic].tasks:
        current[0] = task.function
        for check in checks_for(task.id):
            check(Runner(task.id, SEEDS[0], Recorder(reference), reference))
    undeclared = {task: sorted(names - dependencies(topic)[task]) for task, names in calls.items()
                  if names - dependencies(topic)[task]}
    assert not undeclared, f"probes call other tasks' functions the plan does not know about: {undeclared}"


def check_coverage(topic: str, folder) -> dict[str, list[str]]:
    """{check name: the mistakes that make it fail on every seed}, for every hidden check of the topic."""
    from autograder.grading.plan import checks_for

    found: dict[str, list[str]] = {check.__name__: [] for task in registry.load()[topic].tasks
                                   for check in checks_for(task.id)}
    for path in mistakes(topic):
        verdicts = mistake_verdicts(topic, path, folder)
        for name in found:
            ran = [v for v in verdicts if v.check == name]
            if ran and {v.seed for v in ran if not v.passed} == set(SEEDS):
                found[name].append(path.stem)
    return found


@pytest.mark.parametrize("topic", TOPIC_PARAMS)
def test_every_hidden_check_can_fail(topic, scratch):
    """A check that no mistake in the suite makes fail on every seed is a check that may not fail
    (`make coverage` lists, per check, the mistakes that do)."""
    idle = sorted(name for name, caught in check_coverage(topic, scratch).items() if not caught)
    assert not idle, f"hidden checks that no mistake in tests/mistakes/{topic}/ makes fail on every seed: {idle}"


@pytest.mark.parametrize("topic", TOPIC_PARAMS)
def test_visible_tests_both_ways(topic, tmp_path):
    """Stubs fail every visible test; the reference and the alternative pass them all."""
    def outcomes(folder, solved=None):
        return {k: v for k, v in visible_run(copy_exercises(folder, solved), f"tests/test_{topic}.py").items()
                if f"test_{topic}." in k}

    stubs = outcomes(tmp_path / "stubs")
    solved = outcomes(tmp_path / "solved", {topic: ROOT / "solutions" / f"{topic}.py"})
    alternative = composite(topic, TESTS / "alternatives" / f"{topic}.py", tmp_path)
    other = outcomes(tmp_path / "alternative", {topic: alternative})
    assert stubs and set(stubs) == set(solved) == set(other)
    not_failing = {k: v for k, v in stubs.items() if v[0] != "failed" or "NotImplementedError" not in v[1]}
    assert not not_failing, f"visible tests that do not fail on the stubs with NotImplementedError: {not_failing}"
    for label, result in (("reference", solved), ("alternative", other)):
        not_passing = {k: v for k, v in result.items() if v[0] != "passed"}
        assert not not_passing, f"visible tests that fail on the {label}: {not_passing}"
