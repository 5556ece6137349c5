"""What a grading run writes: per student a record, Gradescope's results.json and feedback.md; per class
grades.csv, identical.csv, run.json and the LMS exports (canvas-grades.csv). Every file is written atomically (a killed run never leaves half a
file), and a student's record.json is written last: it is the commit that lets a resumed run skip them.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections import defaultdict
from functools import cache
from pathlib import Path

from .. import KIT_ROOT, registry
from . import report, submissions


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".tmp-", delete=False) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


def atomic_write(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def gradescope(record: dict) -> dict:
    """Gradescope's results.json: one test per task, markdown output."""
    tests = []
    for topic, data in record.get("topics", {}).items():
        for task in registry.load()[topic].tasks:
            verdict = data["tasks"][task.id]
            tests.append({"name": task.id, "score": task.points if verdict["passed"] else 0,
                          "max_score": task.points, "status": "passed" if verdict["passed"] else "failed",
                          "output": "Passed." if verdict["passed"] else f"{verdict['message']}\n\nHint: {task.hint}",
                          "output_format": "md", "visibility": "visible"})
    return {"score": record.get("total", 0), "tests": tests, "output_format": "md",
            "output": f"Graded by JAX Foundations (grade seed {record['seed']}). Status: {record['status']}."}


def feedback(record: dict) -> str:
    lines = [f"# Feedback for {record['student']}", ""]
    if record["status"] != "graded":
        lines += ["Grading could not finish because of a problem in the grader itself, not in your work.",
                  "Your instructor has been told; nothing has been scored yet.", ""]
        return "\n".join(lines)
    lines += [f"Total: {record['total']} / {record['max_total']} points.", ""]
    for topic, data in record["topics"].items():
        lines += [f"## {topic}: {data['score']} / {data['max_score']}", ""]
        if data["file"]:
            lines.append(f"Graded file: `{data['file']}`. Time used: {data['seconds']:g} s of the "
                         f"{data['budget']:g} s this topic may take.")
        lines += [f"Note: {note}" for note in data["notes"]]
        lines.append("")
        for task in registry.load()[topic].tasks:
            verdict = data["tasks"][task.id]
            if verdict["passed"]:
                lines.append(f"- `{task.id}` ({task.points}/{task.points}): passed.")
            else:
                message = verdict["message"].strip().replace("\n", "\n  ")
                lines.append(f"- `{task.id}` (0/{task.points}): {message}\n  Hint: {task.hint.replace(chr(10), ' ')}")
        lines.append("")
    return "\n".join(lines)


def write_student(folder: Path, record: dict) -> None:
    atomic_write(folder / "results.json", json.dumps(gradescope(record), indent=1))
    atomic_write(folder / "feedback.md", feedback(record))
    atomic_write(folder / "record.json", json.dumps(record, indent=1, sort_keys=True))  # written last: the commit


@cache
def _release_sources(topic: str) -> frozenset[str]:
    """Digests of what an untouched release grades as: handing it in is not copying anybody."""
    stub = (KIT_ROOT / "exercises" / f"{topic}.py").read_text(encoding="utf-8")
    notebook = submissions.notebook_source(submissions.release_template(topic)["cells"], topic)
    return frozenset(hashlib.sha256(text.encode()).hexdigest() for text in (stub, notebook))


def identical_groups(records: list[dict], topics: list[str]) -> list[tuple[str, str, list[str]]]:
    """(topic, digest, students) for every piece of work handed in by more than one student."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in records:
        for topic in topics:
            digest = record.get("topics", {}).get(topic, {}).get("source_sha256")
            if digest and digest not in _release_sources(topic):
                found[(topic, digest)].append(record["student"])
    return [(topic, digest, sorted(names)) for (topic, digest), names in sorted(found.items()) if len(names) > 1]


def identical_summary(records: list[dict], topics: list[str]) -> list[str]:
    groups = identical_groups(records, topics)
    if not groups:
        return ["No two students handed in identical work."]
    return [f"Identical {topic} work ({digest[:12]}): {', '.join(names)}" for topic, digest, names in groups]


def usage(largest_child_mb: int | None = None, children_cpu_seconds: float | None = None) -> dict:
    """Core-seconds and peak memory of this grading process, and of the sandboxed children as the children that
    finished reported them (the kernel's figures do not reach the grader: bubblewrap's init reaps a child, and
    a child killed for a timeout reports nothing)."""
    import resource

    mine = resource.getrusage(resource.RUSAGE_SELF)
    return {"core_seconds": {"grader": round(mine.ru_utime + mine.ru_stime, 1),
                             "children": round(children_cpu_seconds, 1) if children_cpu_seconds is not None else None},
            "peak_rss_mb": {"grader": round(mine.ru_maxrss / 1024), "largest_child": largest_child_mb}}


def write_class(out: Path, records: list[dict], topics: list[str], *, seed: int, skipped: list[str],
                seconds: float, plan_seconds: float = 0.0, secret: str | None = None,
                largest_child_mb: int | None = None, children_cpu_seconds: float | None = None) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *topics, "total", "max_total"])
    max_total = sum(registry.load()[t].max_points for t in topics)
    for record in sorted(records, key=lambda r: r["student"]):
        if record["status"] == "graded":
            writer.writerow([record["student"], *[record["topics"][t]["score"] for t in topics],
                             record["total"], max_total])
        else:
            writer.writerow([record["student"], *["" for _ in topics], "grader-error", max_total])
    atomic_write(out / "grades.csv", buffer.getvalue())

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["topic", "sha256", "students"])
    for topic, digest, names in identical_groups(records, topics):
        writer.writerow([topic, digest, ";".join(names)])
    atomic_write(out / "identical.csv", buffer.getvalue())
    atomic_write(out / "run.json", json.dumps({"seed": seed, "secret": secret, "topics": topics, "students": len(records),
                                               "grader_errors": sum(r["status"] != "graded" for r in records),
                                               "skipped": skipped, "seconds": round(seconds, 1),
                                               "plan_seconds": round(plan_seconds, 1),
                                               **usage(largest_child_mb, children_cpu_seconds)},
                                              indent=1))
    report.write(out, records, topics)  # OUT/report.html, the class report (grading/report.py)
    write_exports(out, records, topics)


def write_exports(out: Path, records: list[dict], topics: list[str]) -> None:
    """The LMS files every run writes beside grades.csv: Canvas's grade import CSV (grading/canvas.py)."""
    from . import canvas

    try:
        canvas.write(out, records, topics)
    except canvas.RosterError as exc:  # the grades stand; only the export waits for a usable roster
        import sys
        print(f"Canvas export skipped: {exc}", file=sys.stderr)
