"""Helpers for the kit's own tests: grade chosen implementations with the hidden checks, in this process.

A `Grading` of a topic runs every check of the tasks asked for on an implementation at a grade seed and
records, per check, passed or the failure message: the same Runner, probes and verdicts as every front end,
with the student's side run in this process (our own fixtures only).
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
sys.path.insert(0, str(ROOT))
from autograder import XLA_FLAGS  # noqa: E402 - no jax in it

os.environ.setdefault("XLA_FLAGS", XLA_FLAGS)
os.environ.setdefault("JAX_PLATFORMS", "cpu")

from autograder import registry  # noqa: E402

TOPICS = [topic.slug for topic in registry.active_topics()]
# Every verdict must hold on every one of these seeds: a verdict that changes with the seed is a defect.
SEEDS = tuple(int(s) for s in os.environ.get("JAXKIT_SELFCHECK_SEEDS", "0,1,2,3,4").split(","))


def sandbox_uid_base() -> int:
    """A range of 64 sandbox uids for this test process's graders (JAXKIT_SANDBOX_UID_BASE): drawn per run, and
    never the same as another pytest-xdist worker's of this run, so each test counts only its own children."""
    import random
    import time

    workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0) % workers
    slot = random.Random(os.getpid() ^ int(time.time())).randrange(300 // workers) * workers + index
    return 40000 + 64 * slot


def mistakes(topic: str) -> list[Path]:
    return sorted((TESTS / "mistakes" / topic).glob("*.py"))


def mistake_info(path: Path) -> tuple[str, str]:
    namespace: dict = {}
    for line in path.read_text().splitlines():
        if line.startswith(("TASK =", "EXPECT =")):
            exec(line, namespace)  # noqa: S102 - our own fixture files
    return namespace["TASK"], namespace["EXPECT"]


def defined_names(path: Path) -> set[str]:
    """Top-level names a fixture file binds (functions, classes, assignments), its header excepted."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names - {"TASK", "EXPECT"}


def composite(topic: str, override: Path, folder: Path) -> Path:
    """The reference with some functions redefined by `override` (appended, so its definitions win)."""
    reference = (ROOT / "solutions" / f"{topic}.py").read_text()
    target = folder / f"{topic}__{override.parent.name}__{override.stem}.py"
    target.write_text(f"{reference}\n\n# ---- overrides from {override.relative_to(ROOT)}\n{override.read_text()}")
    return target


@dataclass(frozen=True)
class Verdict:
    task: str
    check: str
    seed: int
    passed: bool
    message: str
    exception: str | None


_references: dict = {}


def reference(topic: str):
    """This process's one Reference of a topic: the reference's data, computed once per call and seed, serves
    every test of the topic on this pytest-xdist worker (a topic's tests form one group)."""
    from autograder.grading.runner import Reference

    return _references.setdefault(topic, Reference(topic))


def grade(topic: str, impl_path: Path, seeds: tuple[int, ...], tasks: list[str] | None = None) -> list[Verdict]:
    """Every check of `tasks` (default: all of the topic) on the implementation at `impl_path`, per seed."""
    from autograder.grading.plan import checks_for
    from autograder.grading.runner import InProcess, Runner
    from autograder.sandbox.probing import load_module

    trusted = reference(topic)
    wanted = tasks or [t.id for t in registry.load()[topic].tasks]
    try:
        impl = load_module(str(impl_path), label=impl_path.stem)
    except Exception as exc:  # noqa: BLE001
        return [Verdict(task, "import", seed, False, f"{type(exc).__name__}: {exc}", type(exc).__name__)
                for task in wanted for seed in seeds]
    student = InProcess(impl, trusted)
    verdicts = []
    for seed in seeds:
        for task in wanted:
            for check in checks_for(task):
                try:
                    check(Runner(task, seed, student, trusted))
                    verdicts.append(Verdict(task, check.__name__, seed, True, "", None))
                except AssertionError as exc:
                    verdicts.append(Verdict(task, check.__name__, seed, False, str(exc), type(exc).__name__))
    return verdicts


def run_pytest(args: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def visible_run(folder: Path, *targets: str) -> dict[str, tuple[str, str]]:
    """Run the visible tests (all, or the given test files) in a copy of exercises/; return {test name:
    (outcome, message)} from JUnit XML."""
    junit = folder / "junit.xml"
    run_pytest([f"--junitxml={junit}", "-q", "-p", "no:randomly", *targets], folder)
    outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname')}.{case.get('name')}"
        failure, error = case.find("failure"), case.find("error")
        if failure is not None:
            outcomes[name] = ("failed", failure.get("message", ""))
        elif error is not None:
            outcomes[name] = ("error", error.get("message", ""))
        elif case.find("skipped") is not None:
            outcomes[name] = ("skipped", "")
        else:
            outcomes[name] = ("passed", "")
    return outcomes


def copy_exercises(target: Path, solved: dict[str, Path] | None = None) -> Path:
    """A copy of exercises/ with some topics replaced by the given files ({topic: path})."""
    shutil.copytree(ROOT / "exercises", target,
                    ignore=shutil.ignore_patterns("__pycache__", ".jax_cache", ".jaxkit", ".pytest_cache"))
    for topic, path in (solved or {}).items():
        shutil.copyfile(path, target / f"{topic}.py")
    return target
