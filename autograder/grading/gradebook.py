"""The sandboxed grader's scores in nbgrader's gradebook: `python -m autograder nbgrader-import COURSE_ROOT`.

Grades every `COURSE_ROOT/submitted/<student>/<topic>/<topic>.ipynb` with the sandboxed grader (the same
run as `python -m autograder grade`, written to OUT, by default COURSE_ROOT/sandboxed) and writes each task's
points into nbgrader's gradebook (`nbgrader.api.Gradebook`): per grade cell (grade_id = task id with '.'
replaced by '-') the `auto_score`, and for a failed task the grader's message as the `auto_comment` of its
solution cell. Formgrader, `nbgrader export` and `nbgrader generate_feedback`'s scores then show the grades
you can defend. A manual score an instructor gave in formgrader still overrides (nbgrader's rule); a student
the grader could not grade is left untouched and reported.

Run it after `nbgrader generate_assignment` (the assignments must be in the gradebook) and instead of, or
after, `nbgrader autograde`: it overwrites autograde's auto scores for the submissions it grades.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from rich.console import Console

from .. import registry

COURSE_ID = "jax-foundations"  # nbgrader_config.py: c.CourseDirectory.course_id


def submitted(course_root: Path, topics: list[str]) -> dict[str, list[str]]:
    """{student: [topics handed in]} under COURSE_ROOT/submitted/<student>/<topic>/<topic>.ipynb."""
    found: dict[str, list[str]] = {}
    root = course_root / "submitted"
    if not root.is_dir():
        return found
    for student in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and
                          not p.name.startswith(".")):
        handed = [t for t in topics if (student / t / f"{t}.ipynb").is_file()]
        if handed:
            found[student.name] = handed
    return found


def stage(course_root: Path, handed: dict[str, list[str]], target: Path) -> Path:
    """A class folder for the sandboxed grader: target/<student>/<topic>.ipynb (copies, never links)."""
    if target.exists():
        shutil.rmtree(target)
    for student, topics in handed.items():
        (target / student).mkdir(parents=True)
        for topic in topics:
            source = course_root / "submitted" / student / topic / f"{topic}.ipynb"
            if not source.is_symlink():
                shutil.copyfile(source, target / student / f"{topic}.ipynb")
    return target


def write_scores(db_url: str, records: list[dict], handed: dict[str, list[str]],
                 course_id: str = COURSE_ID) -> dict[str, dict[str, float]]:
    """Write graded records into the gradebook; return {student: {topic: score written}}."""
    from nbgrader.api import Gradebook, MissingEntry

    written: dict[str, dict[str, float]] = {}
    with Gradebook(db_url, course_id) as gb:
        for record in records:
            student = record["student"]
            if record.get("status") != "graded":
                continue
            for topic in handed.get(student, []):
                data = record["topics"].get(topic)
                if data is None:
                    continue
                try:
                    gb.find_assignment(topic)
                except MissingEntry:
                    raise SystemExit(f"{topic} is not in the gradebook {db_url}: run `nbgrader generate_assignment "
                                     f"{topic}` first.") from None
                gb.update_or_create_student(student)
                gb.update_or_create_submission(topic, student)
                for task in registry.load()[topic].tasks:
                    verdict = data["tasks"][task.id]
                    cell = task.id.replace(".", "-")
                    grade = gb.find_grade(cell, topic, topic, student)
                    grade.auto_score = float(task.points if verdict["passed"] else 0)
                    grade.needs_manual_grade = False
                    try:
                        comment = gb.find_comment(f"{cell}-solution", topic, topic, student)
                        comment.auto_comment = None if verdict["passed"] else \
                            f"Sandboxed grader: {verdict['message']}\nHint: {task.hint}"
                    except MissingEntry:
                        pass
                gb.db.commit()
                written.setdefault(student, {})[topic] = float(data["score"])
    return written


def warm_plan(topics: list[str]) -> None:
    """Parse the probes and masters once, in this thread: grade.py's worker threads otherwise race on the
    first (cached) ast.parse of a topic, which CPython 3.11 can fail with "AST constructor recursion depth
    mismatch" under -j 2 (the student then shows as a grader error)."""
    from . import plan

    for topic in topics:
        for group in set(plan.groups(topic).values()):
            plan.substitute_sources(topic, group)
    plan.lanes()  # parses every topic's sources


def import_course(course_root: Path, out: Path | None = None, topics: list[str] | None = None, jobs: int = 1,
                  db_url: str | None = None, seed: int | None = None, require_sandbox: bool = False,
                  course_id: str = COURSE_ID) -> int:
    from .grade import FOLDER, grade

    console = Console(stderr=True)
    course_root = course_root.resolve()
    out = (out or course_root / "sandboxed").resolve()
    db_url = db_url or f"sqlite:///{course_root / 'gradebook.db'}"
    active = [t.slug for t in registry.active_topics()]
    unknown = sorted(set(topics or []) - set(active))
    if unknown:
        console.print(f"[red]Unknown or empty topic(s) {unknown}; topics with tasks: {', '.join(active)}[/red]")
        return 2
    handed = submitted(course_root, [t for t in active if topics is None or t in topics])
    if not handed:
        console.print(f"[red]No submitted/<student>/<topic>/<topic>.ipynb under {course_root}.[/red]")
        return 2
    chosen = [t for t in active if any(t in ts for ts in handed.values())]
    warm_plan(chosen)
    status = grade(stage(course_root, handed, out / "class"), out, jobs=jobs, seed=seed,
                   require_sandbox=require_sandbox, topics=chosen)
    if status == 2:
        return status
    records = [json.loads((out / FOLDER / s / "record.json").read_text()) for s in handed
               if (out / FOLDER / s / "record.json").exists()]
    written = write_scores(db_url, records, handed, course_id)
    skipped = sorted(set(handed) - set(written))
    console.print(f"Wrote the sandboxed grader's scores of {sum(len(t) for t in written.values())} submission(s) "
                  f"by {len(written)} student(s) into {db_url}.")
    if skipped:
        console.print(f"[red]Not written (grader errors, see {out}/grades.csv): {', '.join(skipped)}[/red]")
    return 1 if skipped else 0
