"""`python -m autograder grade SUBMISSIONS --out OUT [-j N]`: grade a class without trusting student code.

Trusted side. For each topic, the checks are first run against the reference (in this process) with a
recording runner: that lists the probes each task needs and computes the reference data. For each student
and topic, a sandboxed child (autograder/sandbox.py) runs those probes on the student's code and streams
back data; the verdicts then run here, on data only. One grade seed per OUT folder (recorded in
OUT/run.json), so grading in any order, with any -j, or resumed after a kill gives identical records.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import shutil
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from . import compare, registry, submissions
from .harness import Runner, reference_module
from .notebook import checks_for
from .sandbox import Limits, Sandbox


def probe_key(probe: Callable, args: tuple) -> str:
    return f"{probe.__name__}:{json.dumps(list(args))}"


class RecordingRunner(Runner):
    """Serves the reference's data as the student's and records which probes a check calls."""

    def __init__(self, topic: str, seed: int):
        super().__init__(impl=None, topic=topic, grade_seed=seed)
        self.calls: list[tuple[Callable, tuple]] = []

    def __call__(self, probe, *args):
        expected = self.reference(probe, *args)
        self.calls.append((probe, args))
        return expected, expected


@dataclass
class TopicPlan:
    topic: str
    checks: dict[str, list[Callable]]  # task id -> check functions
    probes: list[tuple[str, str, int, list]]  # (key, probe name, seed, args) for the child

    @classmethod
    def make(cls, topic: str, seed: int) -> "TopicPlan":
        from .harness import derive_seed

        reference_module(topic)
        checks, probes, seen = {}, [], set()
        for task in registry.load()[topic].tasks:
            checks[task.id] = checks_for(task.id)
            if not checks[task.id]:
                raise RuntimeError(f"grader error: no hidden checks for {task.id}")
            for check in checks[task.id]:
                recorder = RecordingRunner(topic, seed)
                check(recorder)  # the reference must pass its own checks, or the kit is broken
                for probe, args in recorder.calls:
                    key = probe_key(probe, args)
                    if key not in seen:
                        seen.add(key)
                        probes.append((key, probe.__name__, derive_seed(seed, probe, args), list(args)))
        return cls(topic, checks, probes)


def _unanswered(reason: str) -> dict:
    return {"ok": False, "error": {"type": "Unanswered", "message": reason, "where": ""}}


def run_topic(plan: TopicPlan, sandbox: Sandbox, source: str) -> tuple[dict[str, dict], str | None]:
    """Run the plan's probes on `source`, relaunching after a hang or crash so it costs only its probe."""
    outcomes: dict[str, dict] = {}
    pending = list(plan.probes)
    while pending:
        result = sandbox.run(plan.topic, source, pending)
        outcomes.update(result.outcomes)
        if result.import_error is not None:
            err = result.import_error
            return outcomes, f"{err['type']}: {err['message']}\n{err['where']}".strip()
        remaining = [p for p in pending if p[0] not in outcomes]
        if not remaining:
            break
        blamed, pending = remaining[0], remaining[1:]
        outcomes[blamed[0]] = {"ok": False, "error": {
            "type": "GradingIncident", "where": "",
            "message": f"the grading process {result.incident or 'stopped'} while running this check"}}
    return outcomes, None


def judge(plan: TopicPlan, seed: int, outcomes: dict[str, dict], import_error: str | None) -> dict[str, dict]:
    """Verdicts on data only. Returns {task id: {"passed": bool, "message": str}}."""
    def replay(probe, impl, probe_seed, args):
        if import_error is not None:
            return {"ok": False, "error": {"type": "ImportError", "where": "",
                                           "message": f"importing your {plan.topic} code failed: {import_error}"}}
        return outcomes.get(probe_key(probe, args), _unanswered("this check did not run"))

    results = {}
    for task_id, checks in plan.checks.items():
        messages = []
        for check in checks:
            try:
                check(Runner(None, plan.topic, seed, student_runner=replay))
            except AssertionError as exc:
                messages.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - data of an unexpected form: fail closed, say so
                messages.append(f"The result could not be judged ({type(exc).__name__}: {exc}).")
        results[task_id] = {"passed": not messages, "message": messages[0] if messages else ""}
    return results


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


def grade_student(student: str, root: Path, plans: dict[str, TopicPlan], sandbox: Sandbox, seed: int) -> dict:
    topics = {}
    for topic, plan in plans.items():
        submission = submissions.load(root / student, topic)
        if submission.source is None:
            verdicts = {t: {"passed": False, "message": submission.error} for t in plan.checks}
        else:
            outcomes, import_error = run_topic(plan, sandbox, submission.source)
            verdicts = judge(plan, seed, outcomes, import_error)
        points = {t.id: t.points for t in registry.load()[topic].tasks}
        topics[topic] = {"file": submission.origin, "sha256": submission.sha256, "notes": submission.notes,
                         "score": sum(points[t] for t, v in verdicts.items() if v["passed"]),
                         "max_score": sum(points.values()), "tasks": verdicts}
    return {"student": student, "status": "graded", "seed": seed, "topics": topics,
            "total": sum(t["score"] for t in topics.values()), "max_total": sum(t["max_score"] for t in topics.values())}


def inputs_digest(student_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(student_dir.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(student_dir)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def gradescope(record: dict) -> dict:
    tests = []
    for topic, data in record.get("topics", {}).items():
        for task in registry.load()[topic].tasks:
            verdict = data["tasks"][task.id]
            tests.append({"name": task.id, "score": task.points if verdict["passed"] else 0,
                          "max_score": task.points, "status": "passed" if verdict["passed"] else "failed",
                          "output": "Passed." if verdict["passed"] else f"{verdict['message']}\n\nHint: {task.hint}",
                          "visibility": "visible"})
    return {"score": record.get("total", 0), "tests": tests,
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
            lines.append(f"Graded file: `{data['file']}`.")
        lines += [f"Note: {note}" for note in data["notes"]]
        lines.append("")
        for task in registry.load()[topic].tasks:
            verdict = data["tasks"][task.id]
            if verdict["passed"]:
                lines.append(f"- `{task.id}` ({task.points}/{task.points}): passed.")
            else:
                message = verdict["message"].strip().replace("\n", "\n  ")
                hint = task.hint.replace("\n", " ")
                lines.append(f"- `{task.id}` (0/{task.points}): {message}\n  Hint: {hint}")
        lines.append("")
    return "\n".join(lines)


def write_outputs(out: Path, record: dict) -> None:
    folder = out / record["student"]
    _atomic_write(folder / "results.json", json.dumps(gradescope(record), indent=1))
    _atomic_write(folder / "feedback.md", feedback(record))
    _atomic_write(folder / "record.json", json.dumps(record, indent=1, sort_keys=True))  # written last: the commit


def write_csv(out: Path, records: list[dict], topics: list[str]) -> None:
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
    _atomic_write(out / "grades.csv", buffer.getvalue())


def _run_seed(out: Path, requested: int | None) -> int:
    path = out / "run.json"
    if path.exists():
        seed = json.loads(path.read_text())["seed"]
        if requested is not None and requested != seed:
            raise SystemExit(f"{out} was graded with seed {seed}; use another --out for seed {requested}.")
        return seed
    seed = secrets.randbelow(2**31) if requested is None else requested
    _atomic_write(path, json.dumps({"seed": seed}))
    return seed


def grade(root: Path, out: Path, jobs: int = 1, seed: int | None = None, require_sandbox: bool = False,
          limits: Limits = Limits(), topics: list[str] | None = None) -> int:
    console = Console(stderr=True)
    sandbox = Sandbox(limits)
    if not sandbox.sandboxed:
        if require_sandbox:
            console.print("[red]bubblewrap (bwrap) is not available: refusing to grade (--require-sandbox).[/red] "
                          "Install it with `make setup` (Debian: apt-get install bubblewrap).")
            return 2
        console.print("[yellow]Warning: bubblewrap (bwrap) is not available. Student code runs in separate "
                      "processes with resource limits but WITHOUT a sandbox (it can read files and use the "
                      "network). Install bubblewrap, or pass --require-sandbox to refuse.[/yellow]")
    if not root.is_dir():
        console.print(f"[red]{root} is not a folder of student folders.[/red]")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    if shutil.which("prlimit") is None:
        console.print("[yellow]Warning: prlimit (util-linux) is missing: student processes run without "
                      "memory, CPU, file-size and open-file limits.[/yellow]")
    seed = _run_seed(out, seed)
    compare.SHOW_EXPECTED = False  # feedback never reveals hidden expected values
    active = [t.slug for t in registry.active_topics()]
    unknown = sorted(set(topics or []) - set(active))
    if unknown:
        console.print(f"[red]Unknown or empty topic(s) {unknown}; topics with tasks: {', '.join(active)}[/red]")
        return 2
    topics = [t for t in active if topics is None or t in topics]
    with console.status("Computing reference results ..."):
        plans = {topic: TopicPlan.make(topic, seed) for topic in topics}
    if submissions.is_single_submission(root, topics):  # one self-learner's folder, e.g. exercises/
        root, names = root.resolve().parent, [root.resolve().name]
    else:
        names = submissions.students(root)
    records, todo = {}, []
    for name in names:
        done = out / name / "record.json"
        digest = inputs_digest(root / name)
        if done.exists():
            record = json.loads(done.read_text())
            if record.get("seed") == seed and record.get("inputs_sha256") == digest:
                records[name] = record
                continue
        todo.append((name, digest))

    def one(name: str, digest: str) -> dict:
        try:
            record = grade_student(name, root, plans, sandbox, seed)
        except Exception:  # noqa: BLE001 - the grader's own failure: never a pass, never lost
            record = {"student": name, "status": "grader-error", "seed": seed, "topics": {},
                      "error": traceback.format_exc()[-3000:]}
        record["inputs_sha256"] = digest
        write_outputs(out, record)
        return record

    with Progress(console=console, transient=False) as progress:
        bar = progress.add_task(f"Grading {len(todo)} of {len(names)} students", total=len(todo))
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for future in as_completed([pool.submit(one, name, digest) for name, digest in todo]):
                record = future.result()
                records[record["student"]] = record
                progress.advance(bar)
    sandbox.close()
    write_csv(out, list(records.values()), topics)

    table = Table(title=f"Grades (seed {seed}): {out / 'grades.csv'}")
    for column in ("student", *topics, "total"):
        table.add_column(column, justify="left" if column == "student" else "right")
    for name in names:
        record = records[name]
        if record["status"] == "graded":
            table.add_row(name, *[str(record["topics"][t]["score"]) for t in topics], f"{record['total']}")
        else:
            table.add_row(name, *["" for _ in topics], "[red]grader-error[/red]")
    Console(width=max(100, 16 * (len(topics) + 2))).print(table)
    errors = sum(1 for r in records.values() if r["status"] != "graded")
    console.print(f"{len(names) - errors} graded + {errors} grader error(s) = {len(names)} students.")
    return 1 if errors else 0
