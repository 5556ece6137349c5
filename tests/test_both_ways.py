"""Every task proven both ways: the reference passes every check, the untouched stub fails every check
(with NotImplementedError, not an import error); a correct-but-different solution passes; each classic
mistake fails its own task's checks with a message naming it, and no other task's."""
from collections import defaultdict

import pytest

from kit import TOPICS, copy_exercises, hidden_run, mistake_info, mistakes, registry, visible_run

MISTAKES = [pytest.param(topic, path, id=f"{topic}-{path.stem}") for topic in TOPICS for path in mistakes(topic)]


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("impls")


def _by_task(records):
    grouped = defaultdict(list)
    for record in records:
        grouped[record["task"]].append(record)
    return grouped


@pytest.mark.parametrize("topic", TOPICS)
def test_every_task_has_hidden_checks(topic, scratch):
    tasks = _by_task(hidden_run(topic, scratch)["solutions"])
    missing = [t.id for t in registry.load()[topic].tasks if not tasks.get(t.id)]
    assert not missing, f"tasks without hidden checks: {missing}"


@pytest.mark.parametrize("topic", TOPICS)
def test_reference_passes_every_hidden_check(topic, scratch):
    failed = [f"{r['nodeid']}: {r['message'][:300]}" for r in hidden_run(topic, scratch)["solutions"]
              if r["outcome"] != "passed"]
    assert not failed, "the reference fails hidden checks:\n" + "\n".join(failed)


@pytest.mark.parametrize("topic", TOPICS)
def test_stub_fails_every_hidden_check(topic, scratch):
    records = hidden_run(topic, scratch)["exercises"]
    assert records, "no hidden checks ran on the stubs"
    wrong = [f"{r['nodeid']}: {r['when']} {r['outcome']} {r['exception']}" for r in records
             if not (r["outcome"] == "failed" and r["when"] == "call" and r["exception"] == "StudentError"
                     and "NotImplementedError" in r["message"])]
    assert not wrong, "the stubs must fail every check by raising NotImplementedError:\n" + "\n".join(wrong)


@pytest.mark.parametrize("topic", TOPICS)
def test_alternative_solution_passes(topic, scratch):
    runs = hidden_run(topic, scratch)
    assert "alternative" in runs, f"every topic needs tests/alternatives/{topic}.py"
    failed = [f"{r['nodeid']}: {r['message'][:400]}" for r in runs["alternative"] if r["outcome"] != "passed"]
    assert not failed, "a correct-but-different solution fails hidden checks:\n" + "\n".join(failed)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_task_has_a_classic_mistake_fixture(topic):
    covered = {mistake_info(path)[0] for path in mistakes(topic)}
    missing = [t.id for t in registry.load()[topic].tasks if t.id not in covered]
    assert not missing, f"tasks with no classic-mistake fixture in tests/mistakes/{topic}/: {missing}"


@pytest.mark.parametrize(("topic", "path"), MISTAKES)
def test_mistake_fails_only_its_task(topic, path, scratch):
    task_id, expected = mistake_info(path)
    records = _by_task(hidden_run(topic, scratch)[f"mistake:{path.stem}"])
    own = records.pop(task_id)
    failed_own = [r for r in own if r["outcome"] == "failed"]
    assert failed_own, f"{path.name}: no hidden check of {task_id} caught this mistake"
    assert any(expected in r["message"] for r in failed_own), (
        f"{path.name}: the failure messages do not name the mistake ({expected!r}):\n"
        + "\n".join(r["message"][:400] for r in failed_own))
    collateral = [r["nodeid"] for rs in records.values() for r in rs if r["outcome"] != "passed"]
    assert not collateral, f"{path.name} also failed other tasks' checks: {collateral}"


@pytest.mark.parametrize("topic", TOPICS)
def test_visible_tests_both_ways(topic, tmp_path):
    stubs = {k: v for k, v in visible_run(copy_exercises(tmp_path / "stubs")).items() if f"test_{topic}." in k}
    solved = {k: v for k, v in visible_run(copy_exercises(tmp_path / "solved", (topic,))).items()
              if f"test_{topic}." in k}
    assert stubs and set(stubs) == set(solved)
    not_failing = {k: v for k, v in stubs.items() if v[0] != "failed" or "NotImplementedError" not in v[1]}
    assert not not_failing, f"visible tests that do not fail on the stubs with NotImplementedError: {not_failing}"
    not_passing = {k: v for k, v in solved.items() if v[0] != "passed"}
    assert not not_passing, f"visible tests that fail on the reference: {not_passing}"
