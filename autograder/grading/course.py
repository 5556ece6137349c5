"""A scratch nbgrader course: generate, submit, autograde, export (used by `demo` and the kit's tests).

Runs nbgrader's own command line from the kit root, so nbgrader_config.py applies, with the course root
pointed at a scratch folder: the kit's own folders and gradebook are never touched.
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from .. import KIT_ROOT


def _nbgrader(*args: str, root: Path | None, timeout: int = 1800, cwd: Path = KIT_ROOT,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """nbgrader's command line, from the kit root (its nbgrader_config.py applies) on the course at `root`;
    with root=None and another cwd, as a student runs it."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
               JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2", **(env or {}))
    course = [f"--CourseDirectory.root={root}"] if root is not None else []
    result = subprocess.run([str(bin_dir / "nbgrader"), *args, *course], cwd=cwd,
                            env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result


def create(root: Path, topics: list[str], env: dict | None = None) -> None:
    """A fresh course at `root` with the kit's source notebooks, released with nbgrader (gradebook included)."""
    if root.exists():
        shutil.rmtree(root)
    for topic in topics:
        shutil.copytree(KIT_ROOT / "source" / topic, root / "source" / topic)
        _nbgrader("generate_assignment", topic, "--force", root=root, env=env)


def generate_feedback(root: Path, topic: str) -> None:
    _nbgrader("generate_feedback", topic, "--force", root=root)


def submit(root: Path, student: str, topic: str, notebook: nbformat.NotebookNode) -> None:
    target = root / "submitted" / student / topic / f"{topic}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(target))


def autograde(root: Path, topic: str, env: dict | None = None) -> str:
    """Autograde every submission of `topic`; returns nbgrader's log."""
    result = _nbgrader("autograde", topic, "--create", "--force", root=root, env=env)
    return result.stdout + result.stderr


def export(root: Path, env: dict | None = None) -> list[dict]:
    """nbgrader's CSV export, one row per (assignment, student)."""
    out = root / "grades.csv"
    _nbgrader("export", f"--to={out}", root=root, env=env)
    with open(out, newline="") as handle:
        return list(csv.DictReader(handle))


def source_notebook(topic: str) -> nbformat.NotebookNode:
    return nbformat.read(KIT_ROOT / "source" / topic / f"{topic}.ipynb", as_version=4)


def release_notebook(topic: str) -> nbformat.NotebookNode:
    return nbformat.read(KIT_ROOT / "release" / topic / f"{topic}.ipynb", as_version=4)


def partially_solved(topic: str, fraction: float = 0.5) -> nbformat.NotebookNode:
    """The release with the first `fraction` of its solution cells filled in from the source notebook."""
    answers = {c.id: c.source for c in source_notebook(topic).cells if c.metadata.get("nbgrader", {}).get("solution")}
    notebook = release_notebook(topic)
    solution_cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for cell in solution_cells[: max(1, int(len(solution_cells) * fraction))]:
        cell.source = answers[cell.id]
    return notebook


def with_answer(topic: str, task_id: str, code: str, base: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """A notebook (the source notebook by default) whose solution cell of `task_id` holds `code` instead."""
    notebook = base if base is not None else source_notebook(topic)
    grade_id = f"{task_id.replace('.', '-')}-solution"
    cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    if len(cells) != 1:
        raise KeyError(f"no solution cell {grade_id} in {topic}")
    cells[0].source = code
    return notebook


def feedback_html(root: Path, student: str, topic: str) -> str:
    return (root / "feedback" / student / topic / f"{topic}.html").read_text(encoding="utf-8")
