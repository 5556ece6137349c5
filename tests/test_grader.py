"""The sandboxed grader against the adversarial corpus (tests/adversarial), hostile file systems and bad inputs,
and its promises: exact scores, the grader alive, nothing left behind, no host path in feedback, identical
records for any -j and after kill + resume, a universal forger scoring 0 in every topic, and every topic's
reference earning full marks under the production limits.

Processes are counted by this run's own sandbox uids (JAXKIT_SANDBOX_UID_BASE is drawn per run), so other
graders on a busy machine cannot fail these tests.
"""
import json
import os
import py_compile
import random
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path

import nbformat
import pytest

from kit import ROOT, TOPICS, registry, sandbox_uid_base

from autograder.grading import course
from autograder.grading.launcher import bwrap_path

CORPUS = ROOT / "tests" / "adversarial"
SANDBOXED = bwrap_path() is not None and os.getuid() == 0
FULL = registry.load()["gotchas"].max_points
UID_BASE = sandbox_uid_base()
ENV = dict(os.environ, JAXKIT_SANDBOX_UID_BASE=str(UID_BASE))
PROBE_TIMEOUT, BUDGET = "15", "45"
# The corpus tests share one grading run (a module fixture): one group. The other long tests are groups of their
# own, so that pytest-xdist can run them beside it.
CORPUS_GROUP = pytest.mark.xdist_group("grader")


def case_header(path: Path) -> dict:
    header, _, attack = path.read_text().partition("# ---- attack\n")
    namespace = {"FORMS": ("py",), "SANDBOX_ONLY": False, "FILES": {}, "PLANT_PYCACHE": False}
    exec(header, namespace)  # noqa: S102 - our own fixture files
    namespace["ATTACK"] = attack
    return namespace


def notebook_with(base: str, attack: str, topic: str = "gotchas") -> nbformat.NotebookNode:
    notebook = course.source_notebook(topic) if base == "solutions" else course.release_notebook(topic)
    last = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")][-1]
    last.source += "\n\n" + attack
    return notebook


def student(root: Path, name: str, files: dict[str, str] | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for file, text in (files or {}).items():
        (folder / file).write_text(text)
    return folder


def build_class(root: Path, elsewhere: Path, port: int = 0) -> tuple[dict[str, int], dict[str, str]]:
    """The corpus as a class folder: {student: exact gotchas score}, {student: text its feedback must hold}.
    `port` is the loopback port the test's listener holds (it replaces LISTENER_PORT in the attacks)."""
    expected, says = {}, {}
    reference, stub = (ROOT / "solutions" / "gotchas.py").read_text(), (ROOT / "exercises" / "gotchas.py").read_text()
    for path in sorted(CORPUS.glob("*.py")):
        case = case_header(path)
        if case["SANDBOX_ONLY"] and not SANDBOXED:
            continue
        attack = case["ATTACK"].replace("LISTENER_PORT", str(port))
        for form in case["FORMS"]:
            folder = student(root, f"{path.stem}-{form}", case["FILES"])
            if form == "py":
                base = reference if case["BASE"] == "solutions" else stub
                (folder / "gotchas.py").write_text(base + "\n\n" + attack)
            else:
                nbformat.write(notebook_with(case["BASE"], attack), str(folder / "gotchas.ipynb"))
            if case["PLANT_PYCACHE"]:
                py_compile.compile(str(ROOT / "solutions" / "gotchas.py"),
                                   cfile=str(folder / "__pycache__" / "gotchas.cpython-311.pyc"))
            expected[folder.name] = case["SCORE"]
    # Honest submissions in both forms: the reference earns everything, the untouched stubs nothing.
    for name, base, score in (("honest-ref", "solutions", FULL), ("honest-blank", "exercises", 0)):
        student(root, f"{name}-py", {"gotchas.py": (ROOT / base / "gotchas.py").read_text()})
        student(root, f"{name}-ipynb")
        nbformat.write(notebook_with(base, ""), str(root / f"{name}-ipynb" / "gotchas.ipynb"))
        expected[f"{name}-py"] = expected[f"{name}-ipynb"] = score

    # Bad input: each costs only its own topic, with a clear message.
    student(root, "bad-empty")
    expected["bad-empty"], says["bad-empty"] = 0, "No gotchas.py or gotchas.ipynb was handed in."
    (student(root, "bad-not-utf8") / "gotchas.py").write_bytes(b"def safe_take():\n    return '\xff\xfe'\n")
    expected["bad-not-utf8"], says["bad-not-utf8"] = 0, "is not UTF-8 text"
    with open(student(root, "bad-50mb") / "gotchas.py", "w") as handle:
        handle.write(reference + "#" * (50 << 20))
    expected["bad-50mb"], says["bad-50mb"] = 0, "the limit is 2 MB"
    student(root, "bad-not-json", {"gotchas.ipynb": "{this is not json"})
    expected["bad-not-json"], says["bad-not-json"] = 0, "gotchas.ipynb is not a notebook"
    student(root, "bad-deep-json", {"gotchas.ipynb": "[" * 200000 + "]" * 200000})
    expected["bad-deep-json"], says["bad-deep-json"] = 0, "nested too deeply"
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
        if grade_id == "gotchas-make_one_hot":
            cell.source = "pass"  # edited test cell: changes nothing
            cells.append(nbformat.from_dict(dict(cell)))  # and duplicated: changes nothing
        cells.append(cell)
    notebook.cells = cells
    nbformat.write(notebook, str(student(root, "bad-cells") / "gotchas.ipynb"), version=4)
    expected["bad-cells"], says["bad-cells"] = FULL - 4, "Cell gotchas-bincount-solution is no longer a code cell"

    # A hostile file system: only regular, singly linked files are read; a linked folder is skipped.
    (elsewhere / "solution-copy.py").write_text(reference)
    (student(root, "link-to-solution") / "gotchas.py").symlink_to(ROOT / "solutions" / "gotchas.py")
    expected["link-to-solution"], says["link-to-solution"] = 0, "is a symbolic link"
    (student(root, "link-to-classmate") / "gotchas.py").symlink_to(root / "honest-ref-py" / "gotchas.py")
    expected["link-to-classmate"], says["link-to-classmate"] = 0, "is a symbolic link"
    os.link(elsewhere / "solution-copy.py", student(root, "hard-link") / "gotchas.py")
    expected["hard-link"], says["hard-link"] = 0, "is a hard link"
    (student(root, "link-to-proc-mem") / "gotchas.py").symlink_to("/proc/self/mem")
    expected["link-to-proc-mem"], says["link-to-proc-mem"] = 0, "is a symbolic link"
    extra = student(root, "proc-mem-beside", {"gotchas.py": reference})
    (extra / "notes.txt").symlink_to("/proc/self/mem")  # never read: only the topic files are
    os.mkfifo(extra / "fifo")
    expected["proc-mem-beside"] = FULL
    os.mkfifo(student(root, "fifo") / "gotchas.py")  # opening it for reading would block forever
    expected["fifo"], says["fifo"] = 0, "is not a regular file"
    if os.getuid() == 0:
        os.mknod(student(root, "device") / "gotchas.py", stat.S_IFCHR | 0o644, os.makedev(1, 3))  # /dev/null
        expected["device"], says["device"] = 0, "is not a regular file"
    (root / "folder-link").symlink_to(root / "honest-ref-py")  # skipped, never graded
    # Students named like the run's own files, and names that are markup, quotes or odd characters.
    for name in ("grades.csv", "run.json", "identical.csv", "students", "[bold red]loud \"quoted\", ü\nline"):
        student(root, name, {"gotchas.py": reference})
        expected[name] = FULL
    return expected, says


def run_grader(class_dir: Path, out: Path, *extra: str, topics=("gotchas",), timeout: int = 1800):
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(class_dir), "--out", str(out),
                           "--topics", *topics, "--seed", "0", *extra], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=ENV)


def leftovers() -> list[str]:
    uids = ",".join(str(uid) for uid in range(UID_BASE, UID_BASE + 64))
    found = subprocess.run(["pgrep", "-a", "-u", uids], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if line.strip()]


class Listener:
    """A loopback server outside the sandbox: the network attack must never reach it."""

    def __init__(self):
        # Port 0: the kernel picks a free one (a fixed port may be some other process's ephemeral port).
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.server.settimeout(0.5)
        self.connections, self.stop = 0, False
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
    listener = Listener()
    expected, says = build_class(root, tmp_path_factory.mktemp("elsewhere"), listener.port)
    out = tmp_path_factory.mktemp("out")
    started = time.monotonic()
    try:
        result = run_grader(root, out, "-j", "2", "--probe-timeout", PROBE_TIMEOUT, "--topic-budget", BUDGET)
    finally:
        listener.close()
    return expected, says, out, result, listener.connections, time.monotonic() - started


def record(out: Path, name: str) -> dict:
    return json.loads((out / "students" / name / "record.json").read_text())


@CORPUS_GROUP
def test_every_case_gets_its_exact_score(corpus_run):
    expected, _, out, result, _, _ = corpus_run
    assert result.returncode == 0, result.stderr[-3000:]
    scores = {name: (record(out, name)["status"], record(out, name)["total"]) for name in expected}
    wrong = {name: (scores[name], expected[name]) for name in expected if scores[name] != ("graded", expected[name])}
    assert not wrong, f"((status, got), expected) per student: {wrong}"


@CORPUS_GROUP
def test_the_run_accounts_for_every_student(corpus_run):
    expected, _, out, result, _, _ = corpus_run
    rows = (out / "grades.csv").read_text()
    assert rows.splitlines()[0] == "student,gotchas,total,max_total"
    assert sorted(p.name for p in (out / "students").iterdir()) == sorted(expected)  # the linked folder: none
    assert f"{len(expected)} graded + 0 grader error(s) = {len(expected)} students." in result.stderr
    assert "'folder-link' is a symbolic link" in result.stderr
    assert json.loads((out / "run.json").read_text())["skipped"]


@CORPUS_GROUP
def test_identical_work_is_listed(corpus_run):
    _, _, out, _, _, _ = corpus_run
    groups = (out / "identical.csv").read_text().splitlines()[1:]
    same = [line for line in groups if "honest-ref-py" in line]
    assert same and "grades.csv" in same[0] and "proc-mem-beside" in same[0]
    assert not any("honest-blank" in line for line in groups), "untouched releases are not copying"


@CORPUS_GROUP
def test_nothing_escapes_the_sandbox(corpus_run):
    _, _, _, _, connections, _ = corpus_run
    if not SANDBOXED:
        pytest.skip("bubblewrap not available (or not root): the containment promises need it")
    assert connections == 0, "the network attack reached a loopback server outside the sandbox"
    assert not Path("/tmp/jaxkit-pwned-by-pickle").exists()
    assert not Path("/jaxkit-fill").exists() and not (ROOT / "fill").exists()
    time.sleep(1)
    assert leftovers() == [], f"processes of this run's sandbox uids left behind: {leftovers()}"


@CORPUS_GROUP
def test_feedback_is_clear_and_reveals_nothing_hidden(corpus_run):
    expected, says, out, _, _, _ = corpus_run
    says = dict(says, **{"infinite_loop-py": "timed out", "exit_at_import-py": "SystemExit",
                         "budget_hog-py": "time budget for gotchas"})
    for name, text in says.items():
        assert text in (out / "students" / name / "feedback.md").read_text(), name
    checks = (ROOT / "autograder" / "grading" / "checks" / "test_gotchas.py").read_text()
    secrets = [line.strip() for line in checks.splitlines() if "run(probes." in line]
    # Where the kit and the runtime really live (neutral names such as /runtime/site-packages may show).
    host = [str(ROOT), sys.prefix, os.path.realpath(sys.base_prefix), "/tmp/jaxkit-",
            sysconfig.get_paths()["purelib"]]
    for name in expected:
        text = (out / "students" / name / "feedback.md").read_text()
        assert not any(secret in text for secret in secrets), name
        assert not [path for path in host if path in text], (name, [path for path in host if path in text])
        assert ", expected " not in text.replace(", expected shape", "").replace(", expected a", "").replace(
            ", expected float", "").replace(", expected int", "").replace(", expected bool", ""), name
    results = json.loads((out / "students" / "honest-blank-py" / "results.json").read_text())
    assert {t["status"] for t in results["tests"]} == {"failed"} and results["score"] == 0


@CORPUS_GROUP
def test_a_time_budget_bounds_each_student(corpus_run):
    _, _, out, _, _, _ = corpus_run
    hog = record(out, "budget_hog-py")["topics"]["gotchas"]
    assert hog["seconds"] <= float(BUDGET) + float(PROBE_TIMEOUT), hog["seconds"]
    honest = record(out, "honest-ref-py")["topics"]["gotchas"]
    assert honest["seconds"] < float(BUDGET) / 2


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    for name, make in (("ada", course.source_notebook), ("grace", course.partially_solved),
                       ("blank", course.release_notebook)):
        (root / name).mkdir()
        nbformat.write(make("gotchas"), str(root / name / "gotchas.ipynb"))
    student(root, "linus", {"gotchas.py": (ROOT / "solutions" / "gotchas.py").read_text()})
    return root


def records(out: Path) -> dict[str, dict]:
    """Every record, without the wall-clock seconds each topic took (the one part that may differ)."""
    found = {}
    for path in sorted((out / "students").glob("*/record.json")):
        record = json.loads(path.read_text())
        for topic in record.get("topics", {}).values():
            topic.pop("seconds", None)
        found[path.parent.name] = record
    return found


@pytest.mark.xdist_group("grader-resume")
def test_any_jobs_and_kill_resume_give_identical_records(small_class, tmp_path):
    clean = tmp_path / "clean"
    assert run_grader(small_class, clean, "-j", "1").returncode == 0
    reference = records(clean)
    assert len(reference) == 4
    assert reference["ada"]["total"] == FULL and reference["blank"]["total"] == 0

    parallel = tmp_path / "parallel"
    assert run_grader(small_class, parallel, "-j", "3").returncode == 0
    assert records(parallel) == reference

    resumed = tmp_path / "resumed"
    chance = random.Random(1)
    for _ in range(3):  # kill the grader at random points, then resume
        process = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(small_class), "--out",
                                    str(resumed), "--topics", "gotchas", "--seed", "0"], cwd=ROOT, env=ENV,
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
    env = dict(ENV, PATH="/nonexistent")  # no bwrap on PATH
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path), "--out",
                             str(tmp_path / "out"), "--require-sandbox"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "refusing to grade" in result.stderr


UNIVERSAL_FORGER = (CORPUS / "universal_forger.py").read_text().partition("# ---- attack\n")[2]
REFERENCE_THIEF = (CORPUS / "reference_thief.py").read_text().partition("# ---- attack\n")[2]
POLLUTION = """

jax.config.update("jax_default_prng_impl", "rbg")
jax.config.update("jax_threefry_partitionable", not jax.config.jax_threefry_partitionable)
jax.config.update("jax_softmax_custom_jvp", not jax.config.jax_softmax_custom_jvp)
jax.config.update("jax_transfer_guard", "disallow")
import warnings as _warnings
import numpy as _np
_warnings.simplefilter("error")
_np.seterr(all="raise")
import flax as _flax
_flax.config.update("nnx_graph_mode", False)
"""


@pytest.mark.xdist_group("grader-calibration")
def test_every_topic_calibrated_and_unforgeable_in_the_sandbox(tmp_path):
    """Under the production limits: every topic's reference, as source notebooks (only their solution cells are
    graded: the .py form carries the same code and more, and the corpus grades it), earns every point; the
    untouched releases earn none; and a universal forger (it rewrites the code of every probe it can find to
    report success with the best reports) earns none in any topic, including topics added later; and a reference
    thief (every task function looks for the reference's definition of itself in memory, the job's files and
    the inherited pipes, and keeps whatever it sees for later) earns none with all topics handed in together:
    no child ever holds the reference of a task it has yet to grade, in any topic (with every task outside a
    step's group handed to the one child, it earned 8-12 points in each of backprop, trainstate, nnx and
    transformer). A task whose every call kills the child costs only its own points: the fresh children carry
    on with the lane and are handed that step's substitutes again. Global JAX settings the first topic's module
    changes at import cost nothing (with only a list of JAX settings undone before each probe, that student
    lost points in gotchas, trainstate, nnx and transformer, graded together; with Flax's settings left as the
    module set them, 8 points in nnx)."""
    root = tmp_path / "class"
    for name in ("ref-ipynb", "blank-ipynb"):
        (root / name).mkdir(parents=True)
    for topic in TOPICS:
        nbformat.write(course.source_notebook(topic), str(root / "ref-ipynb" / f"{topic}.ipynb"))
        nbformat.write(course.release_notebook(topic), str(root / "blank-ipynb" / f"{topic}.ipynb"))
        stub = (ROOT / "exercises" / f"{topic}.py").read_text()
        student(root, f"forger-{topic}", {f"{topic}.py": stub + "\n\n" + UNIVERSAL_FORGER})
    student(root, "thief", {f"{t}.py": (ROOT / "exercises" / f"{t}.py").read_text() + "\n\n" + REFERENCE_THIEF
                            for t in TOPICS})
    # The reference, but create_train_state (trainstate's second step) kills its process: every child that
    # reaches it dies mid-lane, and the fresh child that carries on is handed that step's substitutes again.
    student(root, "crasher", {"trainstate.py": (ROOT / "solutions" / "trainstate.py").read_text()
                              + "\n\ndef create_train_state(*args, **kwargs):\n    import os\n    os._exit(3)\n"})
    # The reference, but the first topic's module changes global JAX settings at import that change what later
    # topics' code computes (the PRNG, threefry, softmax's derivative) or refuse what it does (a transfer guard),
    # turns warnings and NumPy's floating-point errors into exceptions and changes a Flax setting (NNX's graph
    # mode): its lane grades every later topic in the same process, so each probe starts from the clean settings.
    student(root, "polluter", {f"{t}.py": (ROOT / "solutions" / f"{t}.py").read_text() + (POLLUTION if i == 0 else "")
                               for i, t in enumerate(TOPICS)})
    out = tmp_path / "out"
    result = run_grader(root, out, "-j", "2", topics=TOPICS)
    assert result.returncode == 0, result.stderr[-3000:]
    full = sum(registry.load()[t].max_points for t in TOPICS)
    totals = {p.name: record(out, p.name)["total"] for p in root.iterdir()}
    crashed = registry.load()["trainstate"].max_points - next(
        t.points for t in registry.load()["trainstate"].tasks if t.id == "trainstate.create_train_state")
    assert totals == {"ref-ipynb": full, "blank-ipynb": 0, "thief": 0, "crasher": crashed, "polluter": full,
                      **{f"forger-{t}": 0 for t in TOPICS}}, {
        name: {t: v["score"] for t, v in record(out, name)["topics"].items() if v["score"]} for name in totals}


@pytest.mark.xdist_group("grader-topics")
def test_a_run_that_adds_a_topic_warms_and_calibrates_that_topic(tmp_path):
    """The children's compilation cache is filled, and the reference calibrated in the sandbox, topic by topic: a
    later run into the same OUT that grades one more topic runs that topic's reference in the sandbox (the marker
    used to be one per cache, so a run that added topics skipped both for them)."""
    if not SANDBOXED:
        pytest.skip("bubblewrap not available (or not root): without them the children get no compilation cache")
    reference = {f"{t}.py": (ROOT / "solutions" / f"{t}.py").read_text() for t in ("gotchas", "custom_pytrees")}
    student(tmp_path / "class", "alice", reference)
    out = tmp_path / "out"
    assert run_grader(tmp_path / "class", out).returncode == 0
    cache = next((out / ".cache").glob("xla-*"))
    first = {path.name for path in cache.iterdir()}
    assert ".filled-gotchas" in first
    result = run_grader(tmp_path / "class", out, topics=("gotchas", "custom_pytrees"))
    assert result.returncode == 0 and "Grader problem" not in result.stderr, result.stderr[-2000:]
    added = {path.name for path in cache.iterdir()} - first
    assert ".filled-custom_pytrees" in added and len(added) > 10, sorted(added)  # custom_pytrees' programs
    full = registry.load()["gotchas"].max_points + registry.load()["custom_pytrees"].max_points
    assert record(out, "alice")["total"] == full


def test_a_single_folder_is_graded_as_one_student(tmp_path):
    """A self-learner points the grader at their own folder of <topic>.py files."""
    mine = tmp_path / "my-exercises"
    mine.mkdir()
    (mine / "gotchas.py").write_text((ROOT / "solutions" / "gotchas.py").read_text())
    (mine / "notes.txt").write_text("ignored")
    result = run_grader(mine, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "grades.csv").read_text().splitlines()[1:] == [f"my-exercises,{FULL},{FULL},{FULL}"]


CHILD_SURVEY = """
import gc as _gc, json as _json, os as _os
_fds = {}
for _fd in _os.listdir("/proc/self/fd"):
    try:
        _fds[_fd] = _os.readlink(f"/proc/self/fd/{_fd}")
    except OSError:
        pass
_seen = {"tmp": sorted(_os.listdir("/tmp")), "uid": _os.getuid(), "sid": _os.getsid(0) == _os.getpid(),
         "sockets": sorted(t for t in _fds.values() if t.startswith("socket:")),
         "gc": [*_gc.get_threshold(), _gc.isenabled()]}
with open("/proc/sysvipc/shm") as _handle:  # System V shared memory this child can see
    _seen["shm"] = [line.split()[0] for line in _handle.read().splitlines()[1:]]
_gc.set_threshold(1, 1, 1)  # a child's own settings: the next child must not start with them
import ctypes as _ctypes  # a segment that outlives this child, readable by any uid (IPC_CREAT | 0o666)
_ctypes.CDLL(None, use_errno=True).shmget(0x4A4B4954, 4096, 0o1000 | 0o666)
_gc.disable()
try:
    with open("/tmp/planted", "w") as _handle:
        _handle.write("left by an earlier child")
except OSError:
    pass
if _os.fork() == 0:  # a daemon in a session of its own, outliving this child
    _os.setsid()
    _os.execv("/bin/sleep", ["sleep", "4343"])
raise RuntimeError("SURVEY" + _json.dumps(_seen))
"""


def survivors() -> list[str]:
    """The survey's daemons still running (its command line is unique to this test)."""
    found = subprocess.run(["pgrep", "-a", "-f", "^sleep 4343$"], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if line.strip()]


@pytest.mark.skipif(not SANDBOXED, reason="needs bubblewrap and root (sandbox uids)")
@pytest.mark.parametrize("own_uids", [True, False], ids=["a uid per child", "one uid for all"])
def test_each_child_starts_clean_whichever_student_it_serves(monkeypatch, own_uids):
    """Children are forks of a zygote (where each can have a uid of its own, one zygote serves every student a
    grading thread grades in turn; otherwise, as for a grader that is not root, each child gets a sandbox and a
    zygote of its own). Either way each child, of the same student or the next one, must start as a fresh
    process in a fresh sandbox would: in a session of its own, with an empty private /tmp (nothing an earlier
    child planted), no System V shared memory (a segment an earlier child left for anyone to read), no socket
    inherited (the zygote's channel would let it forge the zygote's answers or take a later child's pipes),
    under its own uid where there is one, and with every process an earlier child left (a setsid daemon)
    killed when that child finished. Each also starts with the garbage collector on, at the zygote's
    thresholds (autograder/sandbox/collector.py; the zygote turns it off while it imports), whatever an
    earlier child set. Two students, two children each."""
    from autograder.grading.launcher import Limits, Sandbox
    from autograder.sandbox import collector

    monkeypatch.setenv("JAXKIT_SANDBOX_UID_BASE", str(UID_BASE))
    sandbox = Sandbox(Limits(probe_timeout=120))
    sandbox.drop_uid = own_uids
    job = {"mode": "student", "topics": {"gotchas": {"module": None}},
           "items": [{"key": "0", "id": "0", "topic": "gotchas", "probe": "running_mean_sequence", "seed": 1,
                      "args": [], "files": None, "step": ["gotchas", 0]}]}
    surveys, uids, zygotes = [], [], set()
    try:
        for _ in range(2):  # two students, graded in turn by one thread
            with sandbox.session({"gotchas": CHILD_SURVEY}, ["gotchas"]) as session:
                for _ in range(2):
                    child = session.start(json.loads(json.dumps(job)), {})
                    zygotes.add(session.zygote.process.pid)
                    events = [child.next_event(120) for _ in range(2)]
                    uids.append(child.uid if own_uids else 0)
                    child.close()
                    assert events[0] == {"event": "ready"}, events
                    assert events[1]["event"] == "import_error", events
                    surveys.append(json.loads(events[1]["error"]["message"].split("SURVEY", 1)[1]))
                    if own_uids:
                        assert leftovers() == [] and survivors() == [], "a daemon of a finished child is running"
    finally:
        sandbox.close()
    assert len(zygotes) == (1 if own_uids else 4), zygotes  # one import for everyone where it is safe
    assert [s["tmp"] for s in surveys] == [[]] * 4, surveys
    assert [s["shm"] for s in surveys] == [[]] * 4, surveys
    assert [s["uid"] for s in surveys] == uids and all(s["sid"] for s in surveys), surveys
    assert all(s["sockets"] == [] for s in surveys), surveys
    assert [s["gc"] for s in surveys] == [[*collector.THRESHOLDS, True]] * 4, surveys
    assert leftovers() == [] and survivors() == []
