"""The sandboxed grader against the adversarial corpus (tests/adversarial), bad inputs, and its promises:
exact scores, the grader alive, nothing left behind, identical records for any -j and after kill + resume."""
import json
import os
import py_compile
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from kit import ROOT

from autograder import course
from autograder.sandbox import SANDBOX_UIDS, bwrap_path

CORPUS = ROOT / "tests" / "adversarial"
SANDBOXED = bwrap_path() is not None and os.getuid() == 0
FULL = 17  # gotchas points


def case_header(path: Path) -> dict:
    header, _, attack = path.read_text().partition("# ---- attack\n")
    namespace = {"FORMS": ("py",), "SANDBOX_ONLY": False, "FILES": {}, "PLANT_PYCACHE": False}
    exec(header, namespace)  # noqa: S102 - our own fixture files
    namespace["ATTACK"] = attack
    return namespace


def with_attack_notebook(base: str, attack: str) -> nbformat.NotebookNode:
    notebook = course.source_notebook("gotchas") if base == "solutions" else course.release_notebook("gotchas")
    last = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")][-1]
    last.source += "\n\n" + attack
    return notebook


def build_class(root: Path) -> dict[str, int]:
    expected = {}
    for path in sorted(CORPUS.glob("*.py")):
        case = case_header(path)
        if case["SANDBOX_ONLY"] and not SANDBOXED:
            continue
        for form in case["FORMS"]:
            student = root / f"{path.stem}-{form}"
            student.mkdir(parents=True)
            if form == "py":
                base = (ROOT / case["BASE"] / "gotchas.py").read_text()
                (student / "gotchas.py").write_text(base + "\n\n" + case["ATTACK"])
            else:
                nbformat.write(with_attack_notebook(case["BASE"], case["ATTACK"]), str(student / "gotchas.ipynb"))
            for name, text in case["FILES"].items():
                (student / name).write_text(text)
            if case["PLANT_PYCACHE"]:
                py_compile.compile(str(ROOT / "solutions" / "gotchas.py"),
                                   cfile=str(student / "__pycache__" / "gotchas.cpython-311.pyc"))
            expected[student.name] = case["SCORE"]
    # Honest submissions in both forms: the reference earns everything, the untouched stubs nothing.
    for name, folder, score in (("honest-ref", "solutions", FULL), ("honest-blank", "exercises", 0)):
        (root / f"{name}-py").mkdir()
        (root / f"{name}-py" / "gotchas.py").write_text((ROOT / folder / "gotchas.py").read_text())
        (root / f"{name}-ipynb").mkdir()
        nbformat.write(with_attack_notebook(folder, ""), str(root / f"{name}-ipynb" / "gotchas.ipynb"))
        expected[f"{name}-py"] = expected[f"{name}-ipynb"] = score
    # Bad inputs: each costs only its own topic, with a clear message.
    (root / "bad-empty").mkdir()
    expected["bad-empty"] = 0
    (root / "bad-not-utf8").mkdir()
    (root / "bad-not-utf8" / "gotchas.py").write_bytes(b"def safe_take():\n    return '\xff\xfe'\n")
    expected["bad-not-utf8"] = 0
    (root / "bad-50mb").mkdir()
    with open(root / "bad-50mb" / "gotchas.py", "w") as handle:
        handle.write((ROOT / "solutions" / "gotchas.py").read_text())
        handle.write("#" * (50 << 20))
    expected["bad-50mb"] = 0
    (root / "bad-not-json").mkdir()
    (root / "bad-not-json" / "gotchas.ipynb").write_text("{this is not json")
    expected["bad-not-json"] = 0
    notebook = course.source_notebook("gotchas")
    cells = []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id == "gotchas-safe_take-solution":
            continue  # deleted solution cell: that task is unanswered (-2)
        if grade_id == "gotchas-bincount-solution":
            cell = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata, id=cell.id)  # retyped (-2)
        if grade_id == "gotchas-ema":
            continue  # deleted test cell: changes nothing
        if grade_id == "gotchas-one_hot":
            cell.source = "pass"  # edited test cell: changes nothing
            cells.append(nbformat.from_dict(dict(cell)))  # and duplicated: changes nothing
        cells.append(cell)
    notebook.cells = cells
    (root / "bad-cells").mkdir()
    nbformat.write(notebook, str(root / "bad-cells" / "gotchas.ipynb"), version=4)
    expected["bad-cells"] = FULL - 4
    return expected


def run_grader(class_dir: Path, out: Path, *extra: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(class_dir), "--out", str(out),
                           "--topics", "gotchas", "--seed", "0", *extra], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def leftovers() -> list[str]:
    found = subprocess.run(["pgrep", "-a", "-f", "sleep 4242"], capture_output=True, text=True).stdout.split("\n")
    uids = ",".join(str(uid) for uid in SANDBOX_UIDS)
    nobody = subprocess.run(["pgrep", "-a", "-u", uids], capture_output=True, text=True).stdout.split("\n")
    return [line for line in found + nobody if line.strip()]


class Listener:
    """A loopback server outside the sandbox: the network attack must never reach it."""

    def __init__(self, port: int = 47821):
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(0.5)
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                connection, _ = self.server.accept()
                self.connections += 1
                connection.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    expected = build_class(root)
    out = tmp_path_factory.mktemp("out")
    listener = Listener()
    try:
        result = run_grader(root, out, "-j", "2", "--probe-timeout", "20")
    finally:
        listener.close()
    return expected, out, result, listener.connections


def test_every_case_gets_its_exact_score(corpus_run):
    expected, out, result, _ = corpus_run
    assert result.returncode == 0, result.stderr[-3000:]
    scores = {}
    for student in expected:
        record = json.loads((out / student / "record.json").read_text())
        assert record["status"] == "graded", student
        scores[student] = record["total"]
    wrong = {s: (scores[s], expected[s]) for s in expected if scores[s] != expected[s]}
    assert not wrong, f"(got, expected) per student: {wrong}"


def test_grades_csv_and_invariant(corpus_run):
    expected, out, result, _ = corpus_run
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0] == "student,gotchas,total,max_total"
    assert len(rows) - 1 == len(expected)
    assert f"{len(expected)} graded + 0 grader error(s) = {len(expected)} students." in result.stderr


def test_nothing_escapes_the_sandbox(corpus_run):
    _, _, _, connections = corpus_run
    if not SANDBOXED:
        pytest.skip("bubblewrap not available: the containment promises need it")
    assert connections == 0, "the network attack reached a loopback server outside the sandbox"
    assert not Path("/tmp/jaxkit-pwned-by-pickle").exists()
    assert not Path("/jaxkit-fill").exists() and not (ROOT / "fill").exists()
    assert leftovers() == [], f"processes left behind: {leftovers()}"


def test_feedback_is_clear_and_reveals_no_hidden_material(corpus_run):
    _, out, _, _ = corpus_run
    messages = {
        "bad-empty": "No gotchas.py or gotchas.ipynb was handed in.",
        "bad-not-utf8": "is not UTF-8 text",
        "bad-50mb": "the limit is 2 MB",
        "bad-not-json": "gotchas.ipynb is not a notebook",
        "bad-cells": "Cell gotchas-bincount-solution is no longer a code cell",
        "infinite_loop-py": "timed out",
        "exit_at_import-py": "SystemExit",
    }
    for student, text in messages.items():
        assert text in (out / student / "feedback.md").read_text(), student
    checks_source = (ROOT / "autograder" / "checks" / "test_gotchas.py").read_text()
    secrets = [line.strip() for line in checks_source.splitlines() if "run(probes." in line or "expect_match(" in line]
    for feedback in out.glob("*/feedback.md"):
        text = feedback.read_text()
        assert not any(secret in text for secret in secrets), feedback
        assert ", expected " not in text.replace(", expected shape", "").replace(", expected a", ""), feedback
    results = json.loads((out / "honest-blank-py" / "results.json").read_text())
    assert {t["status"] for t in results["tests"]} == {"failed"} and results["score"] == 0


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    for name, make in (("ada", course.source_notebook), ("grace", course.partially_solved),
                       ("blank", course.release_notebook)):
        (root / name).mkdir()
        nbformat.write(make("gotchas"), str(root / name / "gotchas.ipynb"))
    (root / "linus").mkdir()
    (root / "linus" / "gotchas.py").write_text((ROOT / "solutions" / "gotchas.py").read_text())
    return root


def records(out: Path) -> dict[str, str]:
    return {p.parent.name: p.read_text() for p in sorted(out.glob("*/record.json"))}


def test_any_jobs_and_kill_resume_give_identical_records(small_class, tmp_path):
    clean = tmp_path / "clean"
    assert run_grader(small_class, clean, "-j", "1").returncode == 0
    reference = records(clean)
    assert len(reference) == 4
    assert json.loads(reference["ada"])["total"] == FULL and json.loads(reference["blank"])["total"] == 0

    parallel = tmp_path / "parallel"
    assert run_grader(small_class, parallel, "-j", "3").returncode == 0
    assert records(parallel) == reference

    resumed = tmp_path / "resumed"
    chance = random.Random(1)
    for _ in range(3):  # kill the grader at random points, then resume
        process = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(small_class), "--out",
                                    str(resumed), "--topics", "gotchas", "--seed", "0"], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(chance.uniform(2, 12))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert run_grader(small_class, resumed).returncode == 0
    assert records(resumed) == reference
    assert (resumed / "grades.csv").read_text() == (clean / "grades.csv").read_text()
    time.sleep(1)
    assert leftovers() == []


def test_require_sandbox_refuses_without_bubblewrap(tmp_path):
    env = dict(os.environ, PATH="/nonexistent")  # no bwrap on PATH
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path), "--out",
                             str(tmp_path / "out"), "--require-sandbox"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "refusing to grade" in result.stderr


def test_every_topic_reference_scores_full_marks_in_the_sandbox(tmp_path):
    """Calibration under the production limits: every topic's reference, as .py files and as the source
    notebooks, earns every point; the untouched releases earn none."""
    from autograder import registry

    root = tmp_path / "class"
    topics = [t.slug for t in registry.active_topics()]
    for student in ("ref-py", "ref-ipynb", "blank-ipynb"):
        (root / student).mkdir(parents=True)
    for topic in topics:
        (root / "ref-py" / f"{topic}.py").write_text((ROOT / "solutions" / f"{topic}.py").read_text())
        nbformat.write(course.source_notebook(topic), str(root / "ref-ipynb" / f"{topic}.ipynb"))
        nbformat.write(course.release_notebook(topic), str(root / "blank-ipynb" / f"{topic}.ipynb"))
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root), "--out", str(out), "-j", "2"],
                            cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    full = sum(registry.load()[t].max_points for t in topics)
    totals = {s: json.loads((out / s / "record.json").read_text())["total"] for s in ("ref-py", "ref-ipynb", "blank-ipynb")}
    assert totals == {"ref-py": full, "ref-ipynb": full, "blank-ipynb": 0}, totals


def test_a_single_folder_is_graded_as_one_student(tmp_path):
    """A self-learner points the grader at their own folder of <topic>.py files."""
    mine = tmp_path / "my-exercises"
    mine.mkdir()
    (mine / "gotchas.py").write_text((ROOT / "solutions" / "gotchas.py").read_text())
    (mine / "notes.txt").write_text("ignored")
    result = run_grader(mine, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "grades.csv").read_text().splitlines()[1:] == [f"my-exercises,{FULL},{FULL},{FULL}"]
