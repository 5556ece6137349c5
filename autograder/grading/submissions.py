"""Reading a class folder: one folder per student, each with any of `<topic>.py` and `<topic>.ipynb`.

Trusted side; everything in a class folder is untrusted input. Only the files the grader looks for are read,
each only if it is a regular file with a single link (never a symlink, a hard link to somebody else's file, a
device, a FIFO or /proc), opened without following links or blocking, within a size cap. A student folder
that is itself a link is skipped. Every problem becomes a message for that student alone.

A notebook contributes only its solution cells, found by their nbgrader grade_id; every other cell comes from
the kit's own release notebook, so a deleted, edited, duplicated or retyped test cell changes nothing.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .. import KIT_ROOT

MAX_PY_BYTES = 2 << 20
MAX_NOTEBOOK_BYTES = 20 << 20
MAX_STUDENT_BYTES = 64 << 20  # all topic files of one student together


@dataclass
class Submission:
    topic: str
    origin: str | None  # file name graded, None when nothing was handed in
    source: str | None  # module text to run, None when unusable
    error: str | None = None  # why the topic scores 0 without running anything
    notes: list[str] = field(default_factory=list)
    sha256: str | None = None  # of the file handed in
    size: int = 0


class Unreadable(Exception):
    """A file the grader will not read; the message says why, in a sentence for the student."""


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def present(path: Path) -> bool:
    """Something is at `path` (a link or a special file counts: it gets a message, not silence)."""
    return os.path.lexists(path)


def is_single_submission(root: Path, topics: list[str]) -> bool:
    """A folder that itself holds <topic>.py / <topic>.ipynb files is one student (a self-learner)."""
    return any(_is_regular(root / f"{topic}{suffix}") for topic in topics for suffix in (".py", ".ipynb"))


def students(root: Path) -> tuple[list[str], list[str]]:
    """(student folder names, messages about entries that were skipped), both sorted."""
    names, skipped = [], []
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                skipped.append(f"{entry.name!r} is a symbolic link, not a folder: skipped (hand in a real folder).")
            elif entry.is_dir(follow_symlinks=False):
                names.append(entry.name)
    return sorted(names), sorted(skipped)


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular, singly linked file of at most `limit` bytes, read without following links or
    blocking; Unreadable otherwise."""
    name = path.name
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise Unreadable(f"{name} could not be read ({os.strerror(exc.errno or errno.EIO)}).") from None
    if stat.S_ISLNK(info.st_mode):
        raise Unreadable(f"{name} is a symbolic link; only regular files are graded.")
    if not stat.S_ISREG(info.st_mode):
        raise Unreadable(f"{name} is not a regular file (a folder, device or pipe); only regular files are graded.")
    if info.st_nlink != 1:
        raise Unreadable(f"{name} is a hard link to another file; hand in a file of your own.")
    if info.st_size > limit:
        raise Unreadable(f"{name} is {info.st_size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB.")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Unreadable(f"{name} could not be opened ({os.strerror(exc.errno or errno.EIO)}).") from None
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISREG(opened.st_mode):
            raise Unreadable(f"{name} changed while it was being read.")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise Unreadable(f"{name} is larger than {limit / 2**20:.0f} MB.")
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(f"{name} could not be read ({os.strerror(exc.errno or errno.EIO)}).") from None
    finally:
        os.close(fd)


def load(student_dir: Path, topic: str) -> Submission:
    py, notebook = student_dir / f"{topic}.py", student_dir / f"{topic}.ipynb"
    if present(py):
        submission = load_py(py, topic)
        if present(notebook):
            submission.notes.append(f"Both {py.name} and {notebook.name} were handed in; {py.name} was graded.")
        return submission
    if present(notebook):
        return load_notebook(notebook, topic)
    return Submission(topic, None, None, error=f"No {topic}.py or {topic}.ipynb was handed in.")


def load_py(path: Path, topic: str) -> Submission:
    try:
        raw = read_file(path, MAX_PY_BYTES)
    except Unreadable as exc:
        return Submission(topic, path.name, None, error=str(exc))
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Submission(topic, path.name, None, sha256=digest, size=len(raw),
                          error=f"{path.name} is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}).")
    if "\0" in text:
        return Submission(topic, path.name, None, sha256=digest, size=len(raw),
                          error=f"{path.name} contains a NUL byte; it is not a Python source file.")
    return Submission(topic, path.name, text, sha256=digest, size=len(raw))


def _cell_source(cell: dict) -> str | None:
    source = cell.get("source")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def release_template(topic: str) -> dict:
    return json.loads((KIT_ROOT / "release" / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))


def notebook_source(cells: list, topic: str, notes: list[str] | None = None) -> str:
    """The module a notebook stands for: the release's cells, with the solution cells taken from `cells`."""
    notes = [] if notes is None else notes
    student_cells: dict[str, dict] = {}
    for cell in cells:
        grade_id = _grade_id(cell)
        if grade_id is not None and grade_id.endswith("-solution"):
            if grade_id in student_cells:
                notes.append(f"Cell {grade_id} appears more than once; the first copy was graded.")
                continue
            student_cells[grade_id] = cell
    parts = []
    for cell in release_template(topic)["cells"]:
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
    return "\n\n\n".join(parts) + "\n"


def load_notebook(path: Path, topic: str) -> Submission:
    try:
        raw = read_file(path, MAX_NOTEBOOK_BYTES)
    except Unreadable as exc:
        return Submission(topic, path.name, None, error=str(exc))
    digest = hashlib.sha256(raw).hexdigest()
    try:
        notebook = json.loads(raw)
    except RecursionError:
        return Submission(topic, path.name, None, sha256=digest, size=len(raw),
                          error=f"{path.name} is not a notebook: its JSON is nested too deeply.")
    except (ValueError, UnicodeDecodeError) as exc:
        return Submission(topic, path.name, None, sha256=digest, size=len(raw),
                          error=f"{path.name} is not a notebook: {type(exc).__name__} while reading its JSON.")
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return Submission(topic, path.name, None, sha256=digest, size=len(raw),
                          error=f"{path.name} has no list of cells.")
    notes: list[str] = []
    source = notebook_source(cells, topic, notes)
    return Submission(topic, path.name, source, notes=notes, sha256=digest, size=len(raw))
