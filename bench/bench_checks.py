"""Timings that matter to students (the loop after each save) and instructors (grading a class).

Run with `make bench`. Prints a Markdown table; figures are recorded in bench/README.md.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import course, registry  # noqa: E402


def timed(args: list[str], cwd: Path) -> float:
    start = time.monotonic()
    subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    return time.monotonic() - start


def grader_rows(tmp: Path, topics: list[str], students: int = 4, jobs: int = 2) -> list[tuple[str, float]]:
    """The sandboxed grader on a class of `students` full submissions (half .py, half notebooks)."""
    import nbformat

    root = tmp / "class"
    for index in range(students):
        folder = root / f"s{index}"
        folder.mkdir(parents=True)
        for topic in topics:
            if index % 2:
                nbformat.write(course.source_notebook(topic), str(folder / f"{topic}.ipynb"))
            else:
                shutil.copyfile(ROOT / "solutions" / f"{topic}.py", folder / f"{topic}.py")
    seconds = timed([sys.executable, "-m", "autograder", "grade", str(root), "--out", str(tmp / "graded"),
                     "-j", str(jobs)], ROOT)
    return [(f"sandboxed grader, all {len(topics)} topics, {students} students, -j {jobs}: whole run", seconds),
            ("sandboxed grader: per student (whole run / students)", seconds / students)]


def main() -> None:
    topics = [t.slug for t in registry.active_topics()]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "exercises"
        shutil.copytree(ROOT / "exercises", work, ignore=shutil.ignore_patterns(".jax_cache", "__pycache__"))
        pytest = [sys.executable, "-m", "pytest", "-q"]
        rows.append(("student: `pytest` in exercises/, all stubs, cold cache", timed(pytest, work)))
        rows.append(("student: same, warm compile cache", timed(pytest, work)))
        for topic in topics:
            shutil.copyfile(ROOT / "solutions" / f"{topic}.py", work / f"{topic}.py")
            args = [*pytest, f"tests/test_{topic}.py"]
            timed(args, work)  # warm the cache
            rows.append((f"student: `pytest tests/test_{topic}.py`, solved, warm cache", timed(args, work)))
        for topic in topics:
            args = [sys.executable, "-m", "pytest", f"autograder/grading/checks/test_{topic}.py", "--impl=solutions", "-q"]
            rows.append((f"hidden checks of `{topic}` on one implementation (one process)", timed(args, ROOT)))
        root = Path(tmp) / "course"
        for topic in topics:
            course.create(root, [topic])
            for student in range(4):
                course.submit(root, f"s{student}", topic, course.source_notebook(topic))
            start = time.monotonic()
            course.autograde(root, topic)
            rows.append((f"nbgrader autograde `{topic}`, per full-marks notebook (4 students)",
                         (time.monotonic() - start) / 4))
        rows += grader_rows(Path(tmp), topics)
    print("| what | seconds |\n| --- | ---: |")
    for what, seconds in rows:
        print(f"| {what} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
