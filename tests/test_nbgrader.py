"""The nbgrader track end to end in a scratch course, the whole cycle an instructor runs: generate_assignment,
release_assignment / fetch / submit / collect through an exchange, zip_collect of an LMS download, autograde,
generate_feedback, export; the sandboxed grader's scores imported into the gradebook; and the gradebook on a
real PostgreSQL server. One topic (JAXKIT_NBGRADER_TOPICS=all for every topic): the mechanism is the same for
all, and every notebook costs a kernel start."""
import getpass
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit import ROOT, TOPICS, registry

from autograder.grading import course, gradebook

pytestmark = pytest.mark.xdist_group("nbgrader")
TOPIC = "gotchas"
EVERY = TOPICS if os.environ.get("JAXKIT_NBGRADER_TOPICS") == "all" else [TOPIC]
MISTAKE = ROOT / "tests" / "mistakes" / TOPIC / "python_loop.py"  # passes the visible tests, fails a hidden one
TAMPERED = "gotchas-swap_rows"  # a locked grade cell the mistaken student edits: nbgrader must still warn


def points(topic, task_ids):
    return sum(t.points for t in registry.load()[topic].tasks if t.id in task_ids)


def solved_ids(notebook):
    return [c.metadata.nbgrader["grade_id"].removesuffix("-solution").replace("-", ".", 1) for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("solution") and "NotImplementedError" not in c.source]


def mistaken_notebook():
    code = MISTAKE.read_text().split("\n\n\n", 1)[1]
    notebook = course.with_answer(TOPIC, "gotchas.ema", code)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == TAMPERED)
    cell.source = "pass  # the visible tests, deleted"
    return notebook


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    base = tmp_path_factory.mktemp("nbgrader")
    root, exchange, student_dir = base / "course", base / "exchange", base / "student"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    student_dir.mkdir()
    course.create(root, EVERY)
    # Release through the exchange; the current user fetches, works, submits; the instructor collects.
    ex = f"--Exchange.root={exchange}"
    course._nbgrader("release_assignment", TOPIC, "--force", ex, root=root)
    course._nbgrader("fetch_assignment", TOPIC, "--course=jax-foundations", ex, root=None, cwd=student_dir)
    fetched = student_dir / TOPIC / f"{TOPIC}.ipynb"
    import nbformat
    released = nbformat.read(fetched, as_version=4)
    half = course.partially_solved(TOPIC)
    assert [c.id for c in released.cells] == [c.id for c in half.cells]
    nbformat.write(half, str(fetched))
    course._nbgrader("submit", TOPIC, "--course=jax-foundations", ex, root=None, cwd=student_dir)
    course._nbgrader("collect", TOPIC, ex, root=root)
    # An LMS download (Canvas's file names) collected with zip_collect.
    archive = root / "downloaded" / TOPIC / "archive"
    archive.mkdir(parents=True)
    nbformat.write(mistaken_notebook(), str(archive / f"mallory_1234_5678_{TOPIC}.ipynb"))
    course._nbgrader("zip_collect", TOPIC, "--force", root=root)
    # Handed in directly.
    for topic in EVERY:
        course.submit(root, "reference", topic, course.source_notebook(topic))
        course.submit(root, "blank", topic, course.release_notebook(topic))
    logs = {topic: course.autograde(root, topic) for topic in EVERY}
    for topic in EVERY:
        course.generate_feedback(root, topic)
    rows = {(r["student_id"], r["assignment"]): r for r in course.export(root)}
    return {"root": root, "logs": logs, "rows": rows, "me": getpass.getuser(), "half": solved_ids(half)}


@pytest.mark.parametrize("topic", EVERY)
def test_reference_full_marks_blank_zero(cycle, topic):
    rows = cycle["rows"]
    assert float(rows[("reference", topic)]["max_score"]) == registry.load()[topic].max_points
    assert float(rows[("reference", topic)]["score"]) == registry.load()[topic].max_points
    assert float(rows[("blank", topic)]["score"]) == 0.0


def test_exchange_and_zip_collect_submissions_score_their_tasks(cycle):
    rows, maximum = cycle["rows"], registry.load()[TOPIC].max_points
    expected = points(TOPIC, cycle["half"])
    assert 0 < expected < maximum
    assert float(rows[(cycle["me"], TOPIC)]["score"]) == expected, "fetched, half solved, submitted, collected"
    assert float(rows[("mallory", TOPIC)]["score"]) == maximum - points(TOPIC, ["gotchas.ema"]), \
        "zip_collect: the hidden check catches the Python loop; the deleted visible tests are put back"


def test_autograde_warns_only_about_a_really_changed_cell(cycle):
    """nbgrader's false alarm (one checksum warning per grade cell with hidden tests, per student) is gone;
    a locked cell a student really edited still warns."""
    warnings = [line for line in cycle["logs"][TOPIC].splitlines() if "Attribute 'checksum'" in line]
    assert len(warnings) == 1 and TAMPERED in warnings[0], warnings


def test_feedback_shows_no_hidden_tests_or_grader_paths(cycle):
    """nbgrader#917: generate_feedback used to show the hidden-test block (and a failing check's traceback
    into the kit)."""
    root = cycle["root"]
    for student in ("reference", "blank", cycle["me"], "mallory"):
        html = course.feedback_html(root, student, TOPIC)
        for leak in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "run_hidden_checks", "autograder.grading",
                     "autograder/grading", str(ROOT)):
            assert leak not in html, f"{student}'s feedback shows {leak!r}"
    html = course.feedback_html(root, "mallory", TOPIC)
    assert "HiddenChecksFailed" in html and "grows with the number of time steps" in html
    autograded = (root / "autograded" / "mallory" / TOPIC / f"{TOPIC}.ipynb").read_text()
    assert "run_hidden_checks" in autograded, "the hidden checks ran (autograded notebooks are not for students)"


def test_execute_timeouts_hold_under_load():
    """autograde and validate share nbgrader's Execute preprocessor: generous cell, kernel-start and iopub
    timeouts (nbgrader's 4 s iopub default fails a notebook on a busy machine), a late message an error."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.Execute.timeout >= 300 and config.Execute.startup_timeout >= 120
    assert config.Execute.iopub_timeout >= 60 and config.Execute.raise_on_iopub_timeout is True
    names = [p.__name__ for p in config.GenerateFeedback.preprocessors]
    assert names.index("ClearHiddenTestsFromOutputs") < names.index("ClearHiddenTests")


def test_nbgrader_import_writes_the_sandboxed_grades(cycle, tmp_path):
    """`nbgrader-import` grades submitted/ in the sandbox and writes per grade cell auto scores into the
    gradebook: nbgrader's own export then shows them, and they agree with nbgrader's autograde here."""
    root = tmp_path / "course"
    shutil.copytree(cycle["root"], root)
    result = subprocess.run([sys.executable, "-m", "autograder", "nbgrader-import", str(root), "--topics", TOPIC,
                             "-j", "2", "--seed", "3"], cwd=ROOT, capture_output=True, text=True, timeout=1800,
                            env=dict(os.environ, JAX_PLATFORMS="cpu"))
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {(r["student_id"], r["assignment"]): r for r in course.export(root)}
    students = ("reference", "blank", cycle["me"], "mallory")
    assert {s: rows[(s, TOPIC)]["score"] for s in students} == \
        {s: cycle["rows"][(s, TOPIC)]["score"] for s in students}
    assert (root / "sandboxed" / "canvas-grades.csv").exists() and (root / "sandboxed" / "grades.csv").exists()
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "jax-foundations") as gb:
        comment = gb.find_comment("gotchas-ema-solution", TOPIC, TOPIC, "mallory")
        assert "time steps" in (comment.auto_comment or "")
        assert gb.find_grade("gotchas-ema", TOPIC, TOPIC, "mallory").auto_score == 0


# ------------------------------------------------------------------------------------------------ PostgreSQL
def _pg_bin(name):
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    return str(found) if found else None


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server on 127.0.0.1 and a free port, in a temporary folder, stopped afterwards."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (requirements.txt pins it: run `make setup`)")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries not found (`make setup` installs postgresql as root with apt)")
    import tempfile
    base = Path(tempfile.mkdtemp(prefix="jaxkit-postgres-"))  # not under pytest's 0700 basetemp: nobody enters
    data, sockets = base / "data", base / "run"
    sockets.mkdir()
    as_user = []
    if os.getuid() == 0:  # initdb refuses root: run the server as nobody, in folders nobody owns
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("running as root and util-linux setpriv is missing to run PostgreSQL as nobody")
        as_user = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
        base.chmod(0o755)
        os.chown(sockets, 65534, 65534)
        data.mkdir()
        os.chown(data, 65534, 65534)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    init = subprocess.run(as_user + [initdb, "-D", str(data), "-U", "jaxkit", "--auth=trust", "-E", "UTF8"],
                          capture_output=True, text=True, env=env, cwd=base)
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"initdb failed: {init.stderr[-500:]}")
    options = f"-h 127.0.0.1 -p {port} -k {sockets}"
    start = subprocess.run(as_user + [pg_ctl, "-D", str(data), "-o", options, "-l", str(sockets / "server.log"), "-w",
                                      "start"], capture_output=True, text=True, env=env, cwd=base, timeout=120)
    if start.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {start.stderr[-500:]}")
    try:
        import psycopg
        with psycopg.connect(f"host=127.0.0.1 port={port} user=jaxkit dbname=postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE gradebook")
        yield f"postgresql+psycopg://jaxkit@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(as_user + [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True,
                       env=env, cwd=base, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


def test_postgresql_gradebook(postgres, tmp_path):
    """nbgrader_config.py takes the gradebook URL from NBGRADER_DB_URL: generate_assignment, autograde and
    export run on PostgreSQL, and the sandboxed grader's scores are written there."""
    env = {"NBGRADER_DB_URL": postgres}
    root = tmp_path / "course"
    course.create(root, [TOPIC], env=env)
    assert not (root / "gradebook.db").exists(), "the gradebook is the PostgreSQL one"
    course.submit(root, "blank", TOPIC, course.release_notebook(TOPIC))
    course.autograde(root, TOPIC, env=env)
    rows = {(r["student_id"], r["assignment"]): r for r in course.export(root, env=env)}
    assert float(rows[("blank", TOPIC)]["score"]) == 0.0
    tasks = registry.load()[TOPIC].tasks
    record = {"student": "blank", "status": "graded", "topics": {TOPIC: {
        "score": tasks[0].points, "tasks": {t.id: {"passed": t is tasks[0], "message": "" if t is tasks[0]
                                                   else "differs"} for t in tasks}}}}
    written = gradebook.write_scores(postgres, [record], {"blank": [TOPIC]})
    assert written == {"blank": {TOPIC: float(tasks[0].points)}}
    rows = {(r["student_id"], r["assignment"]): r for r in course.export(root, env=env)}
    assert float(rows[("blank", TOPIC)]["score"]) == tasks[0].points
