"""`make demo`: grade a small sample class through nbgrader and print the gradebook.

The class is made from the kit itself, so it always matches the current release: `ada` hands in the
instructor's source notebook (the reference: full marks), `grace` solved the first half of each topic,
and `blank` hands in the untouched release (zero).
"""
from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .. import KIT_ROOT, registry
from . import course

STUDENTS = {
    "ada": ("reference: the source notebook", course.source_notebook),
    "grace": ("solved the first half of every topic", course.partially_solved),
    "blank": ("the untouched release", course.release_notebook),
}


def demo(out: Path = KIT_ROOT / "demo-out") -> int:
    console = Console(width=max(140, Console().width))
    topics = [t.slug for t in registry.active_topics()]
    root = out / "course"
    started = time.monotonic()
    with console.status("Releasing with nbgrader generate_assignment ..."):
        course.create(root, topics)
    for topic in topics:
        for student, (_, make) in STUDENTS.items():
            course.submit(root, student, topic, make(topic))
        with console.status(f"nbgrader autograde {topic} ({len(STUDENTS)} students) ..."):
            course.autograde(root, topic)
        console.log(f"autograded {topic}")
    rows = course.export(root)

    table = Table(title=f"Gradebook (nbgrader export, {root / 'grades.csv'})")
    table.add_column("student")
    for topic in topics:
        table.add_column(topic, justify="right")
    table.add_column("total", justify="right")
    table.add_column("max_total", justify="right")
    max_total = sum(registry.load()[t].max_points for t in topics)
    for student, (about, _) in STUDENTS.items():
        scores = {r["assignment"]: float(r["score"]) for r in rows if r["student_id"] == student}
        table.add_row(student, *[f"{scores.get(t, 0):g}" for t in topics],
                      f"{sum(scores.values()):g}", f"{max_total:g}")
    console.print(table)
    for student, (about, _) in STUDENTS.items():
        console.print(f"  {student}: {about}")
    console.print(f"Done in {time.monotonic() - started:.0f} s. Course folder: {root}")
    return 0
