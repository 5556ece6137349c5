"""`python -m autograder check [TOPIC ...]`: run the hidden checks on your own work and show, per task,
passed or what went wrong, with the hint. For self-learners; instructors grade with nbgrader."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

from rich.console import Console
from rich.table import Table

from .. import KIT_ROOT, registry


def check_exercises(topics: list[str], impl: str, seed: int | None) -> int:
    console = Console()
    known = [t.slug for t in registry.active_topics()]
    topics = topics or known
    unknown = [t for t in topics if t not in known]
    if unknown:
        console.print(f"[red]Unknown or empty topic(s) {unknown}[/red]; topics with tasks: {', '.join(known)}")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        args = [sys.executable, "-m", "pytest", *[f"autograder/grading/checks/test_{t}.py" for t in topics],
                f"--impl={impl}", f"--report-json={report}", "-p", "no:terminal"]
        if seed is not None:
            args.append(f"--grade-seed={seed}")
        with console.status(f"Running the hidden checks of {', '.join(topics)} on {impl} ..."):
            subprocess.run(args, cwd=KIT_ROOT, capture_output=True, text=True)
        if not os.path.exists(report):
            console.print("[red]The checks could not run.[/red] Try `python -m pytest autograder/grading/checks` to see why.")
            return 2
        data = json.load(open(report))
    by_task = defaultdict(list)
    for record in data["records"]:
        by_task[record["task"]].append(record)

    table = Table(title=f"Hidden checks on {impl} (grade seed {data['seed']})", show_lines=True)
    for column in ("task", "points", "result"):
        table.add_column(column)
    earned = possible = 0
    for topic in topics:
        for task in registry.load()[topic].tasks:
            records = by_task.get(task.id, [])
            passed = bool(records) and all(r["outcome"] == "passed" for r in records)
            possible += task.points
            earned += task.points if passed else 0
            if passed:
                result = "[green]passed[/green]"
            else:
                first = next((r for r in records if r["outcome"] != "passed"), None)
                why = (first["message"] if first else "no check ran").strip().splitlines()[0][:600]
                result = f"[red]not yet[/red]: {why}\n[dim]Hint: {task.hint.splitlines()[0]}[/dim]"
            table.add_row(task.id, f"{task.points if passed else 0}/{task.points}", result)
    console.print(table)
    console.print(f"Score: {earned}/{possible}. `python -m autograder hint TASK` prints a full hint.")
    return 0 if earned == possible else 1
