"""The instructor's exports, each checked against its LMS's format: the Gradescope autograder zip run end to end
in a Gradescope-like layout (results.json checked against Gradescope's documented fields and types), Canvas's
grade import CSV (the columns Canvas's importer requires), and the GitHub Classroom starter (nothing hidden,
a workflow in the shape of GitHub Classroom's autograding actions, each task's command earning its points).
One topic suffices for the mechanism: every run starts JAX."""
import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest
import yaml

from kit import ROOT, registry

TOPIC = "gotchas"
pytestmark = pytest.mark.xdist_group("instructor")


def run_cli(*args, timeout=900, **kwargs):
    env = dict(os.environ, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2", **kwargs.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, **kwargs)


# ------------------------------------------------------------------------------------------------ Gradescope
# https://gradescope-autograders.readthedocs.io/en/latest/specs/ (Output format, Output String Formatting)
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER = (int, float)
TOP_FIELDS = {"score": NUMBER, "execution_time": NUMBER, "output": str, "output_format": str,
              "test_output_format": str, "test_name_format": str, "visibility": str, "stdout_visibility": str,
              "extra_data": dict, "tests": list, "leaderboard": list}
TEST_FIELDS = {"score": NUMBER, "max_score": NUMBER, "status": str, "name": str, "name_format": str, "number": str,
               "output": str, "output_format": str, "tags": list, "visibility": str, "extra_data": dict}


def check_gradescope_results(results: dict) -> None:
    """Gradescope's results.json: only documented fields, each of its documented type and values."""
    for fields, entry, where in [(TOP_FIELDS, results, "results")] + \
            [(TEST_FIELDS, t, f"tests[{i}]") for i, t in enumerate(results.get("tests", []))]:
        unknown = set(entry) - set(fields)
        assert not unknown, f"{where} has fields Gradescope does not document: {unknown}"
        for name, value in entry.items():
            assert isinstance(value, fields[name]) and not isinstance(value, bool), f"{where}.{name}: {value!r}"
        for name in ("visibility", "stdout_visibility"):
            assert entry.get(name, "visible") in VISIBILITY, f"{where}.{name}"
        for name in ("output_format", "test_output_format", "test_name_format", "name_format"):
            assert entry.get(name, "text") in FORMATS, f"{where}.{name}"
        assert entry.get("status", "passed") in {"passed", "failed"}, f"{where}.status"
        assert all(isinstance(tag, str) for tag in entry.get("tags", [])), f"{where}.tags"
    assert "score" in results or all("score" in t for t in results["tests"]), "a score is required"


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    result = run_cli("gradescope", "--out", str(out), "--topics", TOPIC)
    assert result.returncode == 0, result.stderr
    return out


def gradescope_root(tmp_path, archive, files: dict) -> tuple:
    """A scratch root laid out as Gradescope documents: source/ (the zip), run_autograder, submission/,
    results/."""
    root = tmp_path / "autograder"
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(root / "source")
        for info in zipped.infolist():  # zipfile drops modes; Gradescope keeps them
            (root / "source" / info.filename).chmod((info.external_attr >> 16) & 0o777 or 0o644)
    shutil.copyfile(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    return root


def run_autograder(root):
    env = dict(os.environ, JAXKIT_GRADESCOPE_ROOT=str(root), JAXKIT_GRADESCOPE_PYTHON=sys.executable,
               JAX_PLATFORMS="cpu")
    return subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=900)


def test_gradescope_zip_layout_and_setup(gradescope_zip, tmp_path):
    with zipfile.ZipFile(gradescope_zip) as zipped:
        names = set(zipped.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zipped.infolist()}
        setup = zipped.read("setup.sh").decode()
        pinned = zipped.read("requirements.txt")
        config = json.loads(zipped.read("gradescope.json"))
    assert {"setup.sh", "run_autograder"} <= names, "both entry points at the root of the zip"
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert pinned == (ROOT / "requirements.txt").read_bytes(), "the zip installs exactly the kit's pins"
    assert f"release/{TOPIC}/{TOPIC}.ipynb" in names and f"solutions/{TOPIC}.py" in names
    assert "autograder/grading/checks/test_gotchas.py" in names and not any("__pycache__" in n for n in names)
    assert config["topics"] == [TOPIC]
    for script in ("setup.sh", "run_autograder"):
        path = tmp_path / script
        with zipfile.ZipFile(gradescope_zip) as zipped:
            path.write_bytes(zipped.read(script))
        assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0, script
    assert "-r \"$SOURCE/requirements.txt\"" in setup and "bubblewrap" in setup
    assert "python install 3.11" in setup and "sys.version_info[:2] == (3, 11)" in setup
    assert "go-rwx" in setup, "the fallback without namespaces keeps the kit from the sandbox uid"


def test_gradescope_run_reference_and_blank(gradescope_zip, tmp_path):
    max_points = registry.load()[TOPIC].max_points
    reference = gradescope_root(tmp_path / "ref", gradescope_zip,
                                {f"{TOPIC}.py": (ROOT / "solutions" / f"{TOPIC}.py").read_bytes()})
    result = run_autograder(reference)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads((reference / "results" / "results.json").read_text())
    check_gradescope_results(results)
    assert results["score"] == max_points and results["output_format"] == "md"
    assert [t["name"] for t in results["tests"]] == [t.id for t in registry.load()[TOPIC].tasks]
    assert all(t["score"] == t["max_score"] and t["status"] == "passed" for t in results["tests"])
    assert stat.S_IMODE((reference / "source").stat().st_mode) & 0o077 == 0, "the kit is root's only"

    blank = gradescope_root(tmp_path / "blank", gradescope_zip,
                            {f"{TOPIC}.ipynb": (ROOT / "release" / TOPIC / f"{TOPIC}.ipynb").read_bytes()})
    result = run_autograder(blank)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads((blank / "results" / "results.json").read_text())
    check_gradescope_results(results)
    assert results["score"] == 0 and all(t["status"] == "failed" for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == max_points
    text = json.dumps(results)
    assert "NotImplementedError" in text and str(ROOT) not in text and "BEGIN HIDDEN" not in text


def test_gradescope_grader_error_is_a_failed_run(gradescope_zip, tmp_path):
    """A grader error is no grade: no results.json and a non-zero exit, so Gradescope reports a failed run."""
    root = gradescope_root(tmp_path, gradescope_zip, {f"{TOPIC}.py": b"def f():\n    pass\n"})
    (root / "source" / "solutions" / f"{TOPIC}.py").write_text("raise RuntimeError('a broken kit')\n")
    (root / "results" / "results.json").write_text("{}")  # a stale file must not survive
    result = run_autograder(root)
    assert result.returncode != 0
    assert not (root / "results" / "results.json").exists()


# ------------------------------------------------------------------------------------------------ Canvas
def check_canvas_import(text: str, topics: list[str]) -> list[dict]:
    """The rules of Canvas's gradebook importer: header `Student`, `ID`, then `SIS User ID`, `SIS Login ID`,
    the last student column `Section`, then one column per assignment; a `Points Possible` row; numeric
    scores or empty cells."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"], header
    assert header[5:] == topics
    assert rows[1][0] == "Points Possible"
    assert [float(x) for x in rows[1][5:]] == [registry.load()[t].max_points for t in topics]
    students = []
    for row in rows[2:]:
        assert len(row) == len(header)
        assert row[0] and (row[1] or row[2] or row[3]), f"a row Canvas cannot match to a student: {row}"
        for cell in row[5:]:
            assert cell == "" or float(cell) >= 0
        students.append(dict(zip(header, row)))
    return students


def test_canvas_csv_from_a_grading_run(tmp_path):
    """A real run of the sandboxed grader writes canvas-grades.csv beside grades.csv, identities from the
    roster; `canvas OUT` re-exports it without grading again."""
    submissions = tmp_path / "class"
    (submissions / "ada").mkdir(parents=True)
    shutil.copyfile(ROOT / "solutions" / f"{TOPIC}.py", submissions / "ada" / f"{TOPIC}.py")
    (submissions / "bob").mkdir()
    shutil.copyfile(ROOT / "exercises" / f"{TOPIC}.py", submissions / "bob" / f"{TOPIC}.py")
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,folder\n"
                      "\"Lovelace, Ada\",101,S1,ada@uni.edu,A,ada\n")
    out = tmp_path / "out"
    result = run_cli("grade", str(submissions), "--out", str(out), "--topics", TOPIC, "--roster", str(roster))
    assert result.returncode == 0, result.stderr[-3000:]
    grades = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    students = check_canvas_import((out / "canvas-grades.csv").read_text(), [TOPIC])
    by_login = {s["SIS Login ID"]: s for s in students}
    assert by_login["ada@uni.edu"]["ID"] == "101" and by_login["ada@uni.edu"]["Student"] == "Lovelace, Ada"
    assert float(by_login["ada@uni.edu"][TOPIC]) == float(grades["ada"][TOPIC]) == registry.load()[TOPIC].max_points
    assert float(by_login["bob"][TOPIC]) == float(grades["bob"][TOPIC]) == 0, "no roster entry: the folder name"
    (out / "canvas-grades.csv").unlink()
    result = run_cli("canvas", str(out))
    assert result.returncode == 0 and "bob" in result.stderr, result.stderr
    assert check_canvas_import((out / "canvas-grades.csv").read_text(), [TOPIC]) == students


def test_canvas_csv_leaves_grader_errors_blank():
    from autograder.grading import canvas

    records = [{"student": "zed", "status": "grader-error", "topics": {}},
               {"student": "amy", "status": "graded", "topics": {TOPIC: {"score": 3}}}]
    students = check_canvas_import(canvas.render(records, [TOPIC]), [TOPIC])
    assert [(s["Student"], s[TOPIC]) for s in students] == [("amy", "3"), ("zed", "")]


def test_canvas_roster_from_a_gradebook_export(tmp_path):
    """A Canvas gradebook export (with its Points Possible row, no folder column) works as a roster, matched
    by SIS Login ID."""
    from autograder.grading import canvas

    export = tmp_path / "export.csv"
    export.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (77)\n"
                      "    Points Possible,,,,,10\n\"Doe, Jane\",55,S9,jdoe,Sec 2,8\n")
    roster = canvas.read_roster(export)
    assert roster == {"jdoe": {"Student": "Doe, Jane", "ID": "55", "SIS User ID": "S9", "SIS Login ID": "jdoe",
                               "Section": "Sec 2"}}
    (tmp_path / "bad.csv").write_text("name,email\nx,y\n")
    with pytest.raises(canvas.RosterError):
        canvas.read_roster(tmp_path / "bad.csv")


# ------------------------------------------------------------------------------------------------ Classroom
@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    out = tmp_path_factory.mktemp("classroom") / "starter"
    result = run_cli("classroom", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def solution_lines(topic):
    from test_leaks import solution_lines as lines

    return lines(topic)


def test_classroom_starter_leaks_nothing(starter):
    from test_leaks import FORBIDDEN, KIT_IMPORT

    files = [p for p in starter.rglob("*") if p.is_file()]
    names = {p.relative_to(starter).as_posix() for p in files}
    assert {"requirements.txt", "conftest.py", "pytest.ini", "jaxkit/__main__.py", "jaxkit/tasks.json",
            f"{TOPIC}.py", f"tests/test_{TOPIC}.py", ".github/workflows/classroom.yml"} <= names
    assert (starter / "requirements.txt").read_text() == (ROOT / "exercises" / "requirements.txt").read_text(), \
        "the starter pins what students get: the kit's pins without the tests' and instructors' tools"
    assert "pytest-xdist" not in (starter / "requirements.txt").read_text()
    hits = []
    for path in files:
        text = path.read_text(errors="replace")
        hits += [f"{path.name}: {w}" for w in FORBIDDEN if w in text]
        hits += [f"{path.name}: imports {m.group(0).strip()}" for m in KIT_IMPORT.finditer(text)]
        hits += [f"{path.name}: {w}" for w in ("grading.checks", "sandbox.probes", "autograder.grading")
                 if w in text]
    order = [t.slug for t in registry.active_topics()]  # a later topic may show an earlier one's answers

    def files_of(topic):
        return [p for p in files if p.name in (f"{topic}.py", f"test_{topic}.py")]

    shared = [p for p in files if not any(p in files_of(t) for t in order)]
    for topic in order:
        exposed = shared + [p for t in order[: order.index(topic) + 1] for p in files_of(t)]
        for path in exposed:
            text = path.read_text(errors="replace")
            hits += [f"{path.relative_to(starter)}: {line}" for line in solution_lines(topic) if line in text]
    assert not hits, "the starter leaks hidden material:\n" + "\n".join(hits[:20])


def test_classroom_workflow_matches_the_autograding_actions(starter):
    workflow = yaml.safe_load((starter / ".github" / "workflows" / "classroom.yml").read_text())
    assert set(workflow[True]) >= {"push", "repository_dispatch"}  # YAML reads the key `on` as True
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    job = workflow["jobs"]["run-autograding-tests"]  # the check run the reporter writes the points to
    steps = job["steps"]
    graders = [s for s in steps if s.get("uses") == "education/autograding-command-grader@v1"]
    tasks = [t for topic in registry.active_topics() for t in topic.tasks]
    assert [s["with"]["test-name"] for s in graders] == [t.id for t in tasks]
    assert [s["with"]["max-score"] for s in graders] == [t.points for t in tasks]
    assert all(re.fullmatch(r"[a-z0-9]+", s["id"]) for s in graders), "runner ids the reporter accepts"
    assert all(isinstance(s["with"]["timeout"], int) and s["with"]["command"] for s in graders)
    reporter = steps[-1]
    assert reporter["uses"] == "education/autograding-grading-reporter@v1"
    ids = [s["id"] for s in graders]
    assert reporter["with"]["runners"].split(",") == ids
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}" for i in ids}
    setup = [s for s in steps if "setup-python" in s.get("uses", "")]
    assert setup and setup[0]["with"]["python-version"] == "3.11"
    assert any(s.get("run") == "python -m pip install -r requirements.txt" for s in steps)


def grader_points(starter, step) -> int:
    """What autograding-command-grader awards: max-score when the command exits 0, else 0."""
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])  # `python`: the kit's
    result = subprocess.run(step["with"]["command"], shell=True, cwd=starter, capture_output=True, text=True,
                            env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp")}, timeout=600)
    return step["with"]["max-score"] if result.returncode == 0 else 0


def test_classroom_commands_earn_each_tasks_points(starter, tmp_path):
    """Each task's command runs that task's visible tests: the stubs earn nothing, the reference every point
    (the commands as the command grader runs them, with only PATH and HOME)."""
    workflow = yaml.safe_load((starter / ".github" / "workflows" / "classroom.yml").read_text())
    steps = [s for s in workflow["jobs"]["run-autograding-tests"]["steps"]
             if s.get("with", {}).get("test-name", "").startswith(f"{TOPIC}.")]
    assert [grader_points(starter, s) for s in steps[:2]] == [0, 0]
    solved = tmp_path / "solved"
    shutil.copytree(starter, solved, ignore=shutil.ignore_patterns(".jax_cache", ".jaxkit", "__pycache__"))
    shutil.copyfile(ROOT / "solutions" / f"{TOPIC}.py", solved / f"{TOPIC}.py")
    assert sum(grader_points(solved, s) for s in steps) == registry.load()[TOPIC].max_points
