"""Reading a class folder: one folder per student, each with any of `<topic>.py` and `<topic>.ipynb`.

Trusted side: files are read as data, never executed. A notebook contributes only its solution cells,
found by their nbgrader grade_id; every other cell comes from the kit's own release notebook, so a
deleted, edited, duplicated or retyped test cell changes nothing.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import KIT_ROOT

MAX_PY_BYTES = 2 << 20
MAX_NOTEBOOK_BYTES = 20 << 20


@dataclass
class Submission:
    topic: str
    origin: str | None  # file name graded, None when nothing was handed in
    source: str | None  # module text to run, None when unusable
    error: str | None = None  # why the topic scores 0 without running anything
    notes: list[str] = field(default_factory=list)
    sha256: str | None = None


def is_single_submission(root: Path, topics: list[str]) -> bool:
    """A folder that itself holds <topic>.py / <topic>.ipynb files is one student (a self-learner)."""
    return any((root / f"{topic}{suffix}").is_file() for topic in topics for suffix in (".py", ".ipynb"))


def students(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _read_limited(path: Path, limit: int) -> bytes | str:
    size = path.stat().st_size
    if size > limit:
        return f"{path.name} is {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB."
    return path.read_bytes()


def load(student_dir: Path, topic: str) -> Submission:
    py, notebook = student_dir / f"{topic}.py", student_dir / f"{topic}.ipynb"
    if py.is_file():
        submission = _load_py(py, topic)
        if notebook.is_file():
            submission.notes.append(f"Both {py.name} and {notebook.name} were handed in; {py.name} was graded.")
        return submission
    if notebook.is_file():
        return _load_notebook(notebook, topic)
    return Submission(topic, None, None, error=f"No {topic}.py or {topic}.ipynb was handed in.")


def _load_py(path: Path, topic: str) -> Submission:
    raw = _read_limited(path, MAX_PY_BYTES)
    if isinstance(raw, str):
        return Submission(topic, path.name, None, error=raw)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Submission(topic, path.name, None, sha256=digest,
                          error=f"{path.name} is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}).")
    return Submission(topic, path.name, text, sha256=digest)


def _cell_source(cell: dict) -> str | None:
    source = cell.get("source")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _load_notebook(path: Path, topic: str) -> Submission:
    raw = _read_limited(path, MAX_NOTEBOOK_BYTES)
    if isinstance(raw, str):
        return Submission(topic, path.name, None, error=raw)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        notebook = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return Submission(topic, path.name, None, sha256=digest, error=f"{path.name} is not a notebook: {exc}.")
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return Submission(topic, path.name, None, sha256=digest, error=f"{path.name} has no list of cells.")

    student_cells: dict[str, dict] = {}
    notes: list[str] = []
    for cell in cells:
        meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
        grade_id = meta.get("nbgrader", {}).get("grade_id") if isinstance(meta, dict) and isinstance(meta.get("nbgrader"), dict) else None
        if isinstance(grade_id, str) and grade_id.endswith("-solution"):
            if grade_id in student_cells:
                notes.append(f"Cell {grade_id} appears more than once; the first copy was graded.")
                continue
            student_cells[grade_id] = cell

    template = json.loads((KIT_ROOT / "release" / topic / f"{topic}.ipynb").read_text())
    parts = []
    for cell in template["cells"]:
        if cell["cell_type"] != "code":
            continue
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            continue  # tests are the grader's business, never taken from the submission
        if meta.get("solution"):
            grade_id = meta["grade_id"]
            mine = student_cells.get(grade_id)
            source = _cell_source(mine) if mine else None
            if mine is None:
                notes.append(f"Cell {grade_id} is missing from the notebook; its task is graded as unanswered.")
                source = "".join(cell["source"])
            elif mine.get("cell_type") != "code" or source is None:
                notes.append(f"Cell {grade_id} is no longer a code cell; its task is graded as unanswered.")
                source = "".join(cell["source"])
            parts.append(source)
        else:
            parts.append("".join(cell["source"]))
    return Submission(topic, path.name, "\n\n\n".join(parts) + "\n", notes=notes, sha256=digest)
