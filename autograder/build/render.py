"""`python -m autograder build [--check]`: generate every student-facing file from the masters.

    solutions/<topic>.py + autograder/tasks.toml
        -> exercises/<topic>.py, exercises/tests/test_<topic>.py   (stubs and visible tests, pytest track)
        -> source/<topic>/<topic>.ipynb                              (nbgrader source notebook)
        -> release/<topic>/<topic>.ipynb                             (by nbgrader's own generate_assignment)

Output is deterministic (fixed cell ids, no outputs, no execution metadata), so ``--check`` compares bytes.
"""
from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions
from traitlets.config.loader import PyFileConfigLoader

from .. import KIT_ROOT, XLA_FLAGS, registry
from .master import Master, function_sources_of, read

REBUILD = "python -m autograder build"
GENERATED_DIRS = ("exercises", "source", "release")
# What students' tools leave behind (Jupyter writes `migrated` and `lab/` into its config folder).
IGNORED = {"__pycache__", ".jax_cache", ".pytest_cache", ".ipynb_checkpoints", ".jaxkit", "migrated", "lab"}


def digest(relpath: str) -> str:
    """Short fingerprint of a source file: any edit of a master changes every file generated from it."""
    return hashlib.sha256((KIT_ROOT / relpath).read_bytes()).hexdigest()[:12]


def provenance(source: str, comment: str = "#") -> str:
    return (f"{comment} Generated from {source} (sha256 {digest(source)}) by `{REBUILD}`. "
            "Do not edit: edit the master and rebuild.")


def nbgrader_config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(KIT_ROOT)).load_config()


def code_stub() -> str:
    """The stub text, read from nbgrader_config.py so both tracks use exactly the same one."""
    return nbgrader_config().ClearSolutions.code_stub["python"]


def clear_solutions(text: str) -> str:
    """Replace solution regions exactly as nbgrader's ClearSolutions does in the release notebooks."""
    preprocessor = ClearSolutions(code_stub={"python": code_stub()})
    cell = nbformat.v4.new_code_cell(text)
    preprocessor._replace_solution_region(cell, "python")
    return cell.source


# ----------------------------------------------------------------------------------------------- pytest track
def render_exercise(master: Master) -> str:
    text = master.path.read_text(encoding="utf-8")
    preamble_end = text.index("# %%")
    parts = [provenance(master.relpath) + "\n", text[:preamble_end]]
    for cell in master.cells:
        if cell.kind == "checks":
            continue  # visible tests go to exercises/tests/
        body = cell.text
        if cell.kind == "task":
            body = clear_solutions(body)
        parts.append(cell.header + "\n" + body)
    return "".join(parts).rstrip("\n") + "\n"


def render_tests(master: Master) -> str:
    lines = [provenance(master.relpath),
             f'"""Visible tests for topic `{master.topic}`. Run `pytest` inside exercises/ '
             f'(or `pytest exercises` from the kit root).\n\nThe hidden checks test more than these: passing them '
             f'is necessary, not sufficient.\n"""',
             f"from {master.topic} import *  # noqa: F401,F403  (the functions you write)",
             ""]
    for cell in master.cells:
        if cell.kind == "checks":
            lines += ["", f"# Task {cell.tasks[0]}", cell.code, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_exercises_readme() -> str:
    rows = []
    for topic in registry.active_topics():
        for task in topic.tasks:
            rows.append(f"| `{task.id}` | {task.points} | {task.goal} |")
    return "\n".join([
        provenance("autograder/tasks.toml", "<!--") + " -->",
        "# JAX Foundations: exercises",
        "",
        "Each `<topic>.py` here holds functions for you to write: replace `# YOUR CODE HERE` and",
        "`raise NotImplementedError()` with your code, keeping the signature. Each docstring is the task's",
        "contract: what to return, the edge cases, and what must work (jit, vmap, grad).",
        "",
        "Check your work with `pytest` in this folder (`pytest tests/test_gotchas.py` for one topic, `-x` to stop",
        "at the first failure). These are the visible tests; the graders' hidden checks test more, on random",
        "inputs, including jit/vmap behaviour and purity.",
        "",
        "| task | points | what you learn |",
        "| --- | ---: | --- |",
        *rows,
        "",
    ])


CONFTEST = '''{prov}
"""pytest setup for the exercises: CPU only, 4 simulated devices, a compile cache for fast re-runs, and the
student command's plugin (a plain sentence for a stub, a missing function or a syntax error; a summary)."""
import os
import sys

# XLA reads this once, before jax first runs: the pmap and sharding exercises need several (simulated) devices,
# and the tests' programs are small, so XLA compiles them without optimising hard (the loop after a save is faster).
os.environ.setdefault("XLA_FLAGS", {xla_flags!r})
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = os.path.dirname(os.path.abspath(__file__))
# Reusing compiled programs between runs makes the loop after each save much faster.
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", os.path.join(HERE, ".jax_cache"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
sys.path.insert(0, HERE)  # the tests import your <topic>.py files from this folder
pytest_plugins = ["jaxkit.pytest_plugin"]
'''

PYTEST_INI = """{prov}
[pytest]
testpaths = tests
addopts = -p no:cacheprovider --tb=short -rN
filterwarnings =
    ignore::DeprecationWarning
"""


STUDENT_PACKAGE = ("core.py", "cli.py", "watch.py", "pytest_plugin.py")
MAIN = '''{prov}
"""`python -m jaxkit`: the student command (see cli.py)."""
import sys

from .cli import main

sys.exit(main())
'''
INIT = '''{prov}
"""jaxkit: the student command of JAX Foundations. Run `python -m jaxkit --help` inside the exercises folder."""
'''
GITIGNORE = """{prov}
.jaxkit/
jupyter/migrated
jupyter/lab/
.jax_cache/
__pycache__/
.pytest_cache/
.ipynb_checkpoints/
"""
# The notebook track on a student's machine: nbgrader's instructor tools hidden, Validate kept.
STUDENT_SERVER_CONFIG = {
    "ServerApp": {"jpserver_extensions": {
        "nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.assignment_list": False,
        "nbgrader.server_extensions.course_list": False, "nbgrader.server_extensions.validate_assignment": True}},
    # Offline and quiet: no news toast, no update check, no extension listing from a package index.
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
               "extension_manager": "readonly"}}
STUDENT_PAGE_CONFIG = {"disabledExtensions": {name: True for name in (
    "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:menu")}}


def task_catalogue() -> dict:
    """The public part of the registry, for the student command: ids, points, goals, hints, the visible tests
    of each task and its stub (for `reset`)."""
    topics = []
    for topic in registry.active_topics():
        master = read(topic.slug)
        stubs = function_sources_of(render_exercise(master))
        tests = {cell.tasks[0]: [line[4:line.index("(")] for line in cell.code.splitlines() if line.startswith("def test_")]
                 for cell in master.cells if cell.kind == "checks"}
        topics.append({"slug": topic.slug, "title": topic.title, "tasks": [
            {"id": t.id, "points": t.points, "goal": t.goal, "hints": list(t.hints), "tests": tests[t.id],
             "stub": stubs[t.function]} for t in topic.tasks]})
    return {"generated": f"from autograder/tasks.toml and solutions/ by `{REBUILD}`", "topics": topics}


def render_student_package(out: Path) -> None:
    package = out / "exercises" / "jaxkit"
    package.mkdir(parents=True, exist_ok=True)
    for name in STUDENT_PACKAGE:
        source = f"autograder/student/{name}"
        (package / name).write_text(provenance(source) + "\n" + (KIT_ROOT / source).read_text(encoding="utf-8"),
                                    encoding="utf-8")
    (package / "__init__.py").write_text(INIT.format(prov=provenance("autograder/build/render.py")), encoding="utf-8")
    (package / "__main__.py").write_text(MAIN.format(prov=provenance("autograder/build/render.py")), encoding="utf-8")
    (package / "tasks.json").write_text(json.dumps(task_catalogue(), indent=1) + "\n", encoding="utf-8")
    jupyter = out / "exercises" / "jupyter"
    (jupyter / "labconfig").mkdir(parents=True, exist_ok=True)
    (jupyter / "jupyter_server_config.json").write_text(json.dumps(STUDENT_SERVER_CONFIG, indent=1) + "\n")
    (jupyter / "labconfig" / "page_config.json").write_text(json.dumps(STUDENT_PAGE_CONFIG, indent=1) + "\n")
    (out / "exercises" / ".gitignore").write_text(GITIGNORE.format(prov=provenance("autograder/build/render.py")))
    pins = (KIT_ROOT / "requirements.txt").read_text(encoding="utf-8").split("# ---- not for students")[0]
    (out / "exercises" / "requirements.txt").write_text(provenance("requirements.txt") + "\n" + pins)


# ---------------------------------------------------------------------------------------------- notebooks
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def grade_id(task_id: str) -> str:
    """nbgrader's schema forbids dots in grade_id: the task id `topic.function` appears as `topic-function`."""
    return task_id.replace(".", "-")


def hidden_block(task_id: str) -> str:
    return ("### BEGIN HIDDEN TESTS\n"
            "from autograder.grading.notebook import run_hidden_checks\n"
            f'run_hidden_checks("{task_id}", globals())\n'
            "### END HIDDEN TESTS")


def render_source_notebook(master: Master) -> nbformat.NotebookNode:
    title, _, rest = master.docstring.partition("\n")
    cells = [nbformat.v4.new_markdown_cell(
        f"*{provenance(master.relpath, '').strip()}*\n\n# {title.strip()}\n{rest}".rstrip(), id=f"{master.topic}-intro")]
    plain = 0
    for cell in master.cells:
        if cell.kind == "markdown":
            plain += 1
            cells.append(nbformat.v4.new_markdown_cell(cell.markdown, id=f"{master.topic}-md{plain:02d}"))
        elif cell.kind == "code":
            plain += 1
            cells.append(nbformat.v4.new_code_cell(cell.code, id=f"{master.topic}-code{plain:02d}"))
        elif cell.kind == "task":
            for task_id in cell.tasks:
                task = registry.task(task_id)
                cells.append(nbformat.v4.new_markdown_cell(
                    f"**Task `{task_id}`** ({task.points} point{'s' if task.points != 1 else ''}): {task.goal}\n\n"
                    + tiered_hints(task), id=f"{grade_id(task_id)}-about"))
            code = cell.code
            first = grade_id(cell.tasks[0])
            cells.append(nbformat.v4.new_code_cell(code, id=f"{first}-solution",
                                                   metadata=_nbgrader(f"{first}-solution", solution=True)))
        elif cell.kind == "checks":
            task_id = cell.tasks[0]
            names = [line[4:line.index("(")] for line in cell.code.splitlines() if line.startswith("def test_")]
            source = "\n".join([cell.code, "", *[f"{name}()" for name in names],
                                f'print("{task_id}: the visible tests pass.")', "", hidden_block(task_id)])
            metadata = _nbgrader(grade_id(task_id), grade=True, locked=True, points=registry.task(task_id).points)
            # Run All goes on past a failing test cell (JupyterLab honours this tag); nbgrader still scores it 0.
            metadata["tags"] = ["raises-exception"]
            cells.append(nbformat.v4.new_code_cell(source, id=f"{grade_id(task_id)}-checks", metadata=metadata))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return notebook


def tiered_hints(task) -> str:
    """The three hint levels as nested, closed <details> blocks: each opens only after the one before it."""
    labels = ("Hint 1: a nudge", "Hint 2: the idea and the docs", "Hint 3: nearly the code")
    text = ""
    for label, hint in reversed(list(zip(labels, task.hints))):
        text = f"<details><summary>{label}</summary>\n\n{hint}\n\n{text}</details>\n"
    return text.rstrip("\n")


def write_notebook(notebook, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        nbformat.write(notebook, handle)


def generate_releases(source_root: Path, topics: list[str], out_root: Path) -> None:
    """Run nbgrader's own generate_assignment (no database) on the source notebooks, into out_root/release."""
    from nbgrader.apps import NbGraderAPI

    config = nbgrader_config()
    config.CourseDirectory.root = str(source_root)
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False
    # nbgrader shells out to `alembic` from PATH: make this interpreter's scripts findable.
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    api = NbGraderAPI(config=config)
    for topic in topics:
        result = api.generate_assignment(topic, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader generate_assignment {topic} failed:\n{result.get('log', '')[-3000:]}")
    shutil.copytree(source_root / "release", out_root / "release", dirs_exist_ok=True)


# ----------------------------------------------------------------------------------------------- orchestration
def render_all(out: Path) -> None:
    """Write every generated file under `out`, mirroring the kit's layout."""
    topics = [t.slug for t in registry.active_topics()]
    (out / "exercises" / "tests").mkdir(parents=True, exist_ok=True)
    (out / "exercises" / "README.md").write_text(render_exercises_readme(), encoding="utf-8")
    (out / "exercises" / "conftest.py").write_text(CONFTEST.format(prov=provenance("autograder/build/render.py"), xla_flags=XLA_FLAGS), encoding="utf-8")
    (out / "exercises" / "pytest.ini").write_text(PYTEST_INI.format(prov=provenance("autograder/build/render.py")), encoding="utf-8")
    render_student_package(out)
    for topic in topics:
        master = read(topic)
        (out / "exercises" / f"{topic}.py").write_text(render_exercise(master), encoding="utf-8")
        (out / "exercises" / "tests" / f"test_{topic}.py").write_text(render_tests(master), encoding="utf-8")
        write_notebook(render_source_notebook(master), out / "source" / topic / f"{topic}.ipynb")
    with tempfile.TemporaryDirectory(prefix="jaxkit-course-") as course:
        shutil.copytree(out / "source", Path(course) / "source")
        generate_releases(Path(course), topics, out)


def _files(root: Path) -> set[str]:
    found = set()
    for directory in GENERATED_DIRS:
        base = root / directory
        if base.exists():
            for path in base.rglob("*"):
                if path.is_file() and not IGNORED & set(path.relative_to(root).parts):
                    found.add(path.relative_to(root).as_posix())
    return found


def drift(out: Path) -> list[str]:
    """Files that differ between a fresh build in `out` and the kit."""
    wanted, present = _files(out), _files(KIT_ROOT)
    problems = [f"{p} is missing" for p in sorted(wanted - present)]
    problems += [f"{p} is out of date" for p in sorted(wanted & present)
                 if not filecmp.cmp(out / p, KIT_ROOT / p, shallow=False)]
    problems += [f"{p} is not generated by the build (remove it)" for p in sorted(present - wanted)]
    return problems


def build(check: bool = False) -> int:
    with tempfile.TemporaryDirectory(prefix="jaxkit-build-") as tmp:
        out = Path(tmp)
        render_all(out)
        problems = drift(out)
        if check:
            if problems:
                for problem in problems:
                    print(f"{problem}. Run `{REBUILD}`, then `{REBUILD} --check` again.", file=sys.stderr)
                return 1
            print(f"build --check: {len(_files(out))} generated files are up to date.")
            return 0
        for problem in problems:
            path = problem.split(" ", 1)[0]
            if problem.endswith("(remove it)"):
                (KIT_ROOT / path).unlink()
            else:
                (KIT_ROOT / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(out / path, KIT_ROOT / path)
        print(f"build: {len(problems)} file(s) written or removed; {len(_files(out))} generated files in sync.")
        return 0
