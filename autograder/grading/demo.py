"""`make demo`: grade a small sample class through both paths and write every LMS export.

The class is made from the kit itself, so it always matches the current release: `ada` hands in the
instructor's source notebook (the reference: full marks), `grace` solved the first half of each topic,
`blank` hands in the untouched release (zero), and `mallory` hands in gotchas only, with one wrong answer
(a Python loop where lax.scan belongs) and a line that switches off the hidden checks in nbgrader's kernel.

1. nbgrader: generate_assignment, autograde, export (the gradebook in demo-out/course).
2. The sandboxed grader on the same submissions, its scores written into a copy of that gradebook with
   `nbgrader-import` (demo-out/course-sandboxed; grading output in demo-out/sandboxed).
3. Both gradebooks side by side: they agree on the honest students; mallory's tampering fools only nbgrader.
4. The exports: Canvas's import CSV, the Gradescope zip, the GitHub Classroom starter (and the class report,
   when the grading run writes one), their paths printed at the end.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .. import KIT_ROOT, registry
from . import course

TAMPER = ("try:  # switch off the hidden checks in the grading kernel (they run beside this code)\n"
          "    import autograder.grading.notebook as _hidden\n"
          "    _hidden.run_hidden_checks = lambda *args, **kwargs: None\n"
          "except ImportError:\n"
          "    pass\n\n")
TAMPER_TOPIC = "gotchas"


def mallory(topic: str):
    """The source notebook of gotchas with one wrong answer and the tampering line; nothing else."""
    if topic != TAMPER_TOPIC:
        return None
    mistake = (KIT_ROOT / "tests" / "mistakes" / topic / "python_loop.py").read_text().split("\n\n\n", 1)[1]
    notebook = course.with_answer(topic, "gotchas.ema", mistake)
    first = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.source = TAMPER + first.source
    return notebook


STUDENTS = {
    "ada": ("reference: the source notebook", course.source_notebook, True),
    "grace": ("solved the first half of every topic", course.partially_solved, True),
    "blank": ("the untouched release", course.release_notebook, True),
    "mallory": ("gotchas only: one wrong answer, and code that switches off nbgrader's hidden checks", mallory,
                False),
}


def _scores(rows: list[dict]) -> dict[str, dict[str, float]]:
    scores: dict[str, dict[str, float]] = {}
    for row in rows:
        scores.setdefault(row["student_id"], {})[row["assignment"]] = float(row["score"])
    return scores


def _table(title: str, scores: dict[str, dict[str, float]], topics: list[str]) -> Table:
    table = Table(title=title)
    table.add_column("student")
    for topic in topics:
        table.add_column(topic, justify="right")
    table.add_column("total", justify="right")
    table.add_column("max_total", justify="right")
    max_total = sum(registry.load()[t].max_points for t in topics)
    for student in STUDENTS:
        mine = scores.get(student, {})
        table.add_row(student, *[f"{mine.get(t, 0):g}" for t in topics], f"{sum(mine.values()):g}", f"{max_total:g}")
    return table


def sandbox_ready(topic: str) -> str | None:
    """None when the sandboxed grader can plan the topic; else why not (a topic whose checks still import
    the pre-sandbox layout)."""
    from .plan import checks_for

    try:
        checks_for(registry.load()[topic].tasks[0].id)
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def demo(out: Path = KIT_ROOT / "demo-out", jobs: int = 2, topics: list[str] | None = None) -> int:
    from . import classroom, gradescope
    from .gradebook import import_course

    console = Console(width=max(140, Console().width))
    topics = [t.slug for t in registry.active_topics() if topics is None or t.slug in topics]
    root = out / "course"
    started = time.monotonic()
    with console.status("Releasing with nbgrader generate_assignment ..."):
        course.create(root, topics)
    for topic in topics:
        for student, (_, make, _) in STUDENTS.items():
            notebook = make(topic)
            if notebook is not None:
                course.submit(root, student, topic, notebook)
        with console.status(f"nbgrader autograde {topic} ..."):
            course.autograde(root, topic)
        console.log(f"nbgrader autograded {topic}")
    nbgrader_scores = _scores(course.export(root))
    nbgrader_done = time.monotonic()

    sandboxed_root = out / "course-sandboxed"
    if sandboxed_root.exists():
        shutil.rmtree(sandboxed_root)
    shutil.copytree(root, sandboxed_root, ignore=shutil.ignore_patterns("autograded", "feedback", "grades.csv"))
    grading_out = out / "sandboxed"
    if grading_out.exists():
        shutil.rmtree(grading_out)
    not_ready = {t: why for t in topics if (why := sandbox_ready(t))}
    for topic, why in not_ready.items():
        console.print(f"[red]The sandboxed grader cannot plan {topic} ({why}): left out of its gradebook.[/red]")
    ready = [t for t in topics if t not in not_ready]
    console.log(f"Grading the same submissions with the sandboxed grader (-j {jobs}) ...")
    status = import_course(sandboxed_root, grading_out, topics=ready, jobs=jobs) if ready else 2
    sandboxed_scores = _scores(course.export(sandboxed_root))
    sandboxed_done = time.monotonic()

    console.print(_table(f"nbgrader's gradebook (autograde; {root / 'gradebook.db'})", nbgrader_scores, topics))
    console.print(_table(f"The sandboxed grader's gradebook (nbgrader-import; {sandboxed_root / 'gradebook.db'})",
                         sandboxed_scores, topics))
    for student, (about, _, honest) in STUDENTS.items():
        differ = [t for t in ready if nbgrader_scores.get(student, {}).get(t, 0) !=
                  sandboxed_scores.get(student, {}).get(t, 0)]
        verdict = "both gradebooks agree" if not differ else "they differ on " + ", ".join(
            f"{t} (nbgrader {nbgrader_scores.get(student, {}).get(t, 0):g}, "
            f"sandboxed {sandboxed_scores.get(student, {}).get(t, 0):g})"
            for t in differ)
        colour = "green" if not differ else ("red" if honest else "yellow")
        console.print(f"  [{colour}]{student}[/{colour}] ({about}): {verdict}")
    honest_agree = all(nbgrader_scores.get(s, {}).get(t, 0) == sandboxed_scores.get(s, {}).get(t, 0)
                       for s, (_, _, honest) in STUDENTS.items() if honest for t in ready)
    console.print(("[green]The two gradebooks agree on every honest student.[/green]" if honest_agree else
                   "[red]The two gradebooks disagree on an honest student: a defect to report.[/red]")
                  + " Under nbgrader the hidden checks run in the student's kernel, so student code can switch "
                    "them off; the sandboxed grader's deciding process never runs student code.")

    zip_path = gradescope.build(out / "autograder.zip", ready or None)
    starter = out / "classroom-starter"
    if starter.exists():
        shutil.rmtree(starter)
    classroom.write(starter)
    console.print(f"nbgrader {nbgrader_done - started:.0f} s, sandboxed grader {sandboxed_done - nbgrader_done:.0f} s, "
                  f"total {time.monotonic() - started:.0f} s.")
    console.print("[bold]Exports[/bold]")
    console.print(f"  Canvas grade import CSV:     {grading_out / 'canvas-grades.csv'}")
    console.print(f"  Gradescope autograder zip:   {zip_path}")
    console.print(f"  GitHub Classroom starter:    {starter}")
    console.print(f"  nbgrader export (nbgrader):  {root / 'grades.csv'}")
    console.print(f"  nbgrader export (sandboxed): {sandboxed_root / 'grades.csv'}")
    console.print(f"  sandboxed grades.csv:        {grading_out / 'grades.csv'}")
    report = grading_out / "report.html"
    if report.exists():
        console.print(f"  class report (HTML):         {report}")
    return 0 if honest_agree and status == 0 and not not_ready else 1
