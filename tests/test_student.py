"""The student's loop, with only what a student receives (a copy of exercises/): `python -m jaxkit` list, next,
hint (tiered, remembered), reset, check, watch; readable pytest output; the self-learner's hidden checks."""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kit import ROOT, copy_exercises, registry

pytestmark = pytest.mark.xdist_group("student")


def jaxkit(folder: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", JAX_PLATFORMS="cpu")
    return subprocess.run([sys.executable, "-m", "jaxkit", *args], cwd=folder, capture_output=True, text=True,
                          timeout=timeout, env=env)


def solve(folder: Path, topic: str, function: str) -> None:
    """Paste the reference's definition of one function into the student's file."""
    from autograder.build.master import function_sources, function_sources_of

    text = (folder / f"{topic}.py").read_text()
    mine = function_sources_of(text)[function].rstrip("\n")
    (folder / f"{topic}.py").write_text(text.replace(mine, function_sources(ROOT / "solutions" / f"{topic}.py")[function]
                                                     .rstrip("\n")))


@pytest.fixture
def student(tmp_path) -> Path:
    folder = tmp_path / "exercises"
    copy_exercises(folder)
    return folder


def test_list_next_hint_solve_reset(student):
    listing = jaxkit(student, "list", "gotchas")
    assert listing.returncode == 0, listing.stderr
    tasks = registry.load()["gotchas"].tasks
    assert f"0/{len(tasks)} tasks" in listing.stdout and "not started" in listing.stdout
    assert not (student / ".jaxkit" / "junit-gotchas.xml").exists(), "untouched stubs need no test run"

    following = jaxkit(student, "next")
    first = tasks[0]
    assert f"Next: {first.id}" in following.stdout and f"{first.topic}.py:" in following.stdout

    one = jaxkit(student, "hint", first.function)
    two = jaxkit(student, "hint", first.id)
    assert f"Hint 1 of 3 for {first.id}" in one.stdout and " ".join(first.hints[0].split()[:6]) in " ".join(one.stdout.split())
    assert f"Hint 2 of 3 for {first.id}" in two.stdout
    assert json.loads((student / ".jaxkit" / "hints.json").read_text()) == {first.id: 2}
    assert "No task `nonsense`" in jaxkit(student, "hint", "nonsense").stdout

    solve(student, "gotchas", first.function)
    assert f"1/{len(tasks)} tasks" in jaxkit(student, "list", "gotchas").stdout
    assert "passed" in jaxkit(student, "list", "gotchas").stdout
    reset = jaxkit(student, "reset", first.id)
    assert "is the stub again" in reset.stdout and list((student / ".jaxkit" / "backups").glob("gotchas-*.py"))
    assert f"0/{len(tasks)} tasks" in jaxkit(student, "list", "gotchas").stdout


def test_brackets_survive_in_hints(student):
    task = next(t for t in registry.load()["gotchas"].tasks if "[" in " ".join(t.hints[:2]))
    text = jaxkit(student, "hint", task.id, "--level", "2").stdout
    assert " ".join(task.hints[1].split()) in " ".join(text.split())


def test_pytest_output_is_one_sentence_per_stub_and_a_summary(student):
    run = subprocess.run([sys.executable, "-m", "pytest", "tests/test_gotchas.py"], cwd=student, capture_output=True,
                         text=True, timeout=600)
    out = run.stdout
    assert "is still the stub (gotchas.py:" in out and "Traceback" not in out
    assert len(out.splitlines()) < 90, f"{len(out.splitlines())} lines for one topic of stubs"
    assert "gotchas: 0 of 10 tasks pass their visible tests." in out and "Next: gotchas." in out

    (student / "gotchas.py").write_text((student / "gotchas.py").read_text() + "\ndef broken(:\n    pass\n")
    syntax = subprocess.run([sys.executable, "-m", "pytest", "tests/test_gotchas.py"], cwd=student,
                            capture_output=True, text=True, timeout=600).stdout
    assert "has a SyntaxError: invalid syntax. No test of this topic can run until the file loads." in syntax


def test_check_needs_the_whole_kit_but_says_so(student):
    result = jaxkit(student, "check")
    assert result.returncode == 2 and "The hidden checks come with the whole kit" in result.stdout


def test_self_learner_checks_a_notebook_with_the_hidden_checks(tmp_path):
    notebook = ROOT / "source" / "gotchas" / "gotchas.ipynb"
    result = subprocess.run([sys.executable, "-m", "autograder", "check", "--impl", str(notebook), "--seed", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:]
    assert f"Score: {registry.load()['gotchas'].max_points}/{registry.load()['gotchas'].max_points}" in result.stdout


def test_watch_reruns_on_save(student):
    # As a student starts it: no compilation cache chosen outside, so the exercises' conftest.py chooses one,
    # and the watch must make that choice before it imports JAX (which reads it once, at import).
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_PERSISTENT_CACHE") and k != "JAX_COMPILATION_CACHE_DIR"}
    process = subprocess.Popen([sys.executable, "-u", "-m", "jaxkit", "watch", "gotchas"], cwd=student, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen = []

    def wait_for(text: str, limit: float = 300) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return
        raise AssertionError(f"watch never printed {text!r}:\n{''.join(seen[-30:])}")

    try:
        wait_for("[watch] run 1 of gotchas.py")
        solve(student, "gotchas", registry.load()["gotchas"].tasks[0].function)
        wait_for("gotchas: 1 of 10 tasks pass")
        wait_for("[watch] run 2 of gotchas.py")
        cached = [p for p in (student / ".jax_cache").glob("*") if p.is_file()] if (student / ".jax_cache").is_dir() else []
        assert cached, "the watch's runs compiled without the compilation cache conftest.py sets up, so every save compiles again"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
