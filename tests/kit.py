"""Helpers for the kit's own tests: run the hidden checks or the visible tests on chosen implementations."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
sys.path.insert(0, str(ROOT))

from autograder import registry  # noqa: E402

TOPICS = [topic.slug for topic in registry.active_topics()]
SEED = int(os.environ.get("JAXKIT_SELFCHECK_SEED", "0"))


def mistakes(topic: str) -> list[Path]:
    return sorted((TESTS / "mistakes" / topic).glob("*.py"))


def mistake_info(path: Path) -> tuple[str, str]:
    namespace: dict = {}
    for line in path.read_text().splitlines():
        if line.startswith(("TASK =", "EXPECT =")):
            exec(line, namespace)  # noqa: S102 - our own fixture files
    return namespace["TASK"], namespace["EXPECT"]


def composite(topic: str, override: Path, folder: Path) -> Path:
    """The reference with some functions redefined by `override` (appended, so its definitions win)."""
    reference = (ROOT / "solutions" / f"{topic}.py").read_text()
    target = folder / f"{topic}__{override.stem}.py"
    target.write_text(f"{reference}\n\n# ---- overrides from {override.relative_to(ROOT)}\n{override.read_text()}")
    return target


def run_pytest(args: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


@cache
def hidden_run(topic: str, scratch: Path) -> dict[str, list[dict]]:
    """One pytest process per topic grades the reference, the stubs, the alternative and every mistake."""
    impls = {"solutions": "solutions", "exercises": "exercises"}
    alternative = TESTS / "alternatives" / f"{topic}.py"
    if alternative.exists():
        impls["alternative"] = str(composite(topic, alternative, scratch))
    for path in mistakes(topic):
        impls[f"mistake:{path.stem}"] = str(composite(topic, path, scratch))
    report = scratch / f"report-{topic}.json"
    args = [f"autograder/checks/test_{topic}.py", "-q", f"--grade-seed={SEED}", f"--report-json={report}"]
    args += [f"--impl={path}" for path in impls.values()]
    result = run_pytest(args, ROOT)
    if not report.exists():
        raise RuntimeError(f"the hidden checks did not run:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    records = json.loads(report.read_text())["records"]
    by_label = {label: [r for r in records if r["impl"] == path] for label, path in impls.items()}
    return by_label


def visible_run(folder: Path) -> dict[str, tuple[str, str]]:
    """Run the visible tests in a copy of exercises/; return {test name: (outcome, message)} from JUnit XML."""
    junit = folder / "junit.xml"
    run_pytest([f"--junitxml={junit}", "-q"], folder)
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


def copy_exercises(target: Path, solved_topics: tuple[str, ...] = ()) -> Path:
    shutil.copytree(ROOT / "exercises", target, ignore=shutil.ignore_patterns("__pycache__", ".jax_cache"))
    for topic in solved_topics:
        shutil.copyfile(ROOT / "solutions" / f"{topic}.py", target / f"{topic}.py")
    return target
