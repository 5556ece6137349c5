"""`python -m autograder grade SUBMISSIONS --out OUT [-j N]`: grade a class without trusting student code.

Trusted side. Per topic, the checks first run against the reference in this process with a recording runner:
that lists every probe call each task needs and computes the reference's data (kept in OUT/.cache for the
next run with the same kit and seed). Per student, one sandboxed child per lane (grading/plan.py: two for the
whole kit) runs those probes on the student's code, step by step, and streams back what the student's
functions returned; it is handed each step's reference substitutes only once the earlier steps' results are
in. Round trips that
wrote files go on to a trusted reader child that loads no student code. The verdicts then run here, on data
only. One grade seed per OUT folder (OUT/run.json): any order, any -j, a resumed run give identical records.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from .. import KIT_ROOT, registry
from ..sandbox import probing, wire
from . import compare, outputs, plan as planning, submissions
from .launcher import Limits, Sandbox, Session, Stop, ZygoteError
from .runner import Call, GraderError, Reference, Runner, read_back_failure

FOLDER = "students"  # OUT/students/<name>/: no student name can collide with the run's own files


# ----------------------------------------------------------------------------------------------- the plan
class Recorder:
    """A student side that answers with the reference's data and records every probe call a check makes."""

    def __init__(self, reference: Reference):
        self.reference, self.calls = reference, []

    def __call__(self, call: Call) -> dict:
        self.calls.append(call)
        data = self.reference.data(call)
        sent = {"out": data.out, "report": data.report}
        if getattr(call.probe, "reader", None) is not None:
            sent["read"] = data.read
        return {"ok": True, "data": sent}


def kit_digest() -> str:
    """Fingerprint of everything that decides reference data: the masters, the kit's code, the pinned stack."""
    digest = hashlib.sha256()
    paths = sorted([*(KIT_ROOT / "autograder").rglob("*.py"), KIT_ROOT / "autograder" / "tasks.toml",
                    *(KIT_ROOT / "solutions").glob("*.py"), KIT_ROOT / "requirements.txt"])
    for path in paths:
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(KIT_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass
class Plan:
    seed: int
    topics: list[str]
    checks: dict[str, list] = field(default_factory=dict)  # task id -> check functions
    calls: dict[str, list[Call]] = field(default_factory=dict)  # topic -> calls, in order, each once
    references: dict[str, Reference] = field(default_factory=dict)

    @classmethod
    def make(cls, topics: list[str], seed: int, cache: Path | None = None, secret: str | None = None) -> "Plan":
        made = cls(seed, topics)
        saved = {}
        if cache is not None and cache.is_file():
            saved = wire.loads(cache.read_bytes())
        for topic in topics:
            reference = made.references[topic] = Reference(topic, secret)
            if topic in saved:
                reference.load(saved[topic])
            seen: dict[str, Call] = {}
            for task in registry.load()[topic].tasks:
                made.checks[task.id] = planning.checks_for(task.id)
                if not made.checks[task.id]:
                    raise GraderError(f"no hidden checks for {task.id}")
                for check in made.checks[task.id]:
                    recorder = Recorder(reference)
                    try:
                        check(Runner(task.id, seed, recorder, reference))
                    except AssertionError as exc:
                        raise GraderError(f"the reference fails its own check {check.__name__}: {exc}") from None
                    for call in recorder.calls:
                        seen.setdefault(call.key, call)
            made.calls[topic] = list(seen.values())
            # Parse everything the grading threads will read now: ast.parse is not thread-safe on 3.11.
            for group in set(planning.groups(topic).values()):
                planning.substitute_sources(topic, group)
            reference.release()  # its data is kept; its compiled programs are not needed again
        planning.lanes()  # every topic's masters, probes and checks parsed here too, not in the grading threads
        if cache is not None and set(topics) - set(saved):  # other topics' data stays for the runs that grade them
            cache.parent.mkdir(parents=True, exist_ok=True)
            fresh = {topic: reference.export() for topic, reference in made.references.items()}
            outputs.atomic_write_bytes(cache, wire.dumps({**saved, **fresh}))
        return made


# ----------------------------------------------------------------------------------------------- children
def _failure(kind: str, message: str) -> dict:
    return {"ok": False, "error": {"type": kind, "message": message, "where": ""}}


class Ledger:
    """Wall-clock seconds one student's probes have used per topic, against the topic budget."""

    def __init__(self, budget: float):
        self.budget, self.used = budget, {}

    def charge(self, topic: str, seconds: float) -> None:
        self.used[topic] = self.used.get(topic, 0.0) + seconds

    def left(self, topic: str) -> float:
        return self.budget - self.used.get(topic, 0.0)

    def exhausted(self, topic: str) -> bool:
        return self.left(topic) <= 0

    def message(self, topic: str) -> str:
        return (f"the time budget for {topic} ({self.budget:g} s for all of its checks) was used up before this "
                "check could finish")


def step_of(call: Call) -> list:
    """The step (grading/plan.py) a call belongs to: [topic, group], as the child names it."""
    return [call.topic, planning.groups(call.topic)[call.function]]


def run_calls(session: Session, calls: list[Call], *, mode: str, files: dict[str, dict],
              ledger: Ledger) -> tuple[dict[str, dict], dict[str, str]]:
    """Run `calls` (one lane's, in step order) in as few children as possible: a hang, a crash or a malformed
    line costs only the call that was running, and a fresh child carries on with the rest."""
    outcomes: dict[str, dict] = {}
    import_errors: dict[str, str] = {}
    first_child = True
    while True:
        pending = []
        for call in calls:
            if call.key in outcomes or call.topic in import_errors:
                continue
            if ledger.exhausted(call.topic):
                outcomes[call.key] = _failure("TimeBudget", ledger.message(call.topic))
                continue
            pending.append(call)
        if not pending:
            return outcomes, import_errors
        topics = list(dict.fromkeys(call.topic for call in pending))
        job = {"mode": mode,
               "topics": {t: {"module": None} for t in topics},
               "items": [{"key": str(i), "id": str(i), "topic": c.topic, "probe": c.probe.__name__, "seed": c.seed,
                          "args": list(c.args), "files": None, "step": step_of(c)} for i, c in enumerate(pending)]}
        child_files = {str(i): files[c.key] for i, c in enumerate(pending) if c.key in files}
        try:
            child = session.start(job, child_files)
        except ZygoteError as exc:
            if first_child:
                raise GraderError(f"{exc} before any student code ran") from None
            # The student's sandbox stopped between two children: the probe next in line fails, as for a crash.
            _blame(pending[0], Stop("exited", "stopped"), pending, outcomes, import_errors, ledger,
                   session.sandbox.limits, mode, {pending[0].topic})
            continue
        finished = False
        try:
            finished = _drive(child, pending, outcomes, import_errors, ledger, session.sandbox.limits, mode,
                              charge_start=not first_child)
            if finished:
                child.next_event(5.0)  # "done" (its statistics: the zygote keeps better ones)
        finally:
            child.close(grace=5.0 if finished else 0.0)
        first_child = False


def _drive(child, pending: list[Call], outcomes: dict, import_errors: dict, ledger: Ledger, limits: Limits,
           mode: str, charge_start: bool) -> bool:
    """Read one child's events until every call is answered (True) or the child stops early (False)."""
    ready, imported, position, handed = False, set(), 0, None
    mark = time.monotonic()
    while position < len(pending):
        call = pending[position]
        if call.topic in import_errors:
            position += 1
            continue
        if mode == "student" and call.topic in imported and step_of(call) != handed:
            # Every earlier item's result is in: the child may now hold this step's reference substitutes.
            handed = step_of(call)
            stop = child.send({"step": handed, "substitutes": planning.substitute_sources(*handed)},
                              limits.probe_timeout)
            if stop is not None:
                _blame(call, stop, pending[position:], outcomes, import_errors, ledger, limits, mode, imported)
                return False
        timeout = limits.probe_timeout
        if not ready:  # start-up (JAX and the probes imported), before any student code: the grader's own work
            timeout = max(timeout, limits.startup_timeout)
        if ready or charge_start:  # a restarted child's start-up counts: crashing every probe is not free
            timeout = min(timeout, max(ledger.left(call.topic), 0.0))
        event = child.next_event(timeout)
        now = time.monotonic()
        if ready or charge_start:
            ledger.charge(call.topic, now - mark)
        mark = now
        if isinstance(event, Stop):
            if not ready and not charge_start:
                raise GraderError(f"a grading process {event.detail} before any student code ran")
            _blame(call, event, pending[position:], outcomes, import_errors, ledger, limits, mode, imported)
            return False
        kind = event["event"]
        if kind == "ready" and not ready:
            ready = True
        elif not ready:
            raise GraderError("a grading process sent data before it was ready")
        elif kind == "imported" and mode == "student" and event["topic"] == call.topic and call.topic not in imported:
            imported.add(call.topic)
        elif kind == "import_error" and mode == "student" and event["topic"] == call.topic and call.topic not in imported:
            err = event["error"]
            import_errors[call.topic] = f"{err['type']}: {err['message']}\n{err['where']}".strip()
        elif kind == "result" and event["key"] == str(position) and (mode == "reader" or call.topic in imported):
            outcomes[call.key] = event["outcome"]
            position += 1
        else:
            _blame(call, Stop("malformed", "sent data out of order"), pending[position:], outcomes, import_errors,
                   ledger, limits, mode, imported)
            return False
    return True


def _blame(call: Call, stop: Stop, rest: list[Call], outcomes: dict, import_errors: dict, ledger: Ledger,
           limits: Limits, mode: str, imported: set) -> None:
    if stop.kind == "timeout" and ledger.exhausted(call.topic):
        for other in rest:
            if other.topic == call.topic:
                outcomes[other.key] = _failure("TimeBudget", ledger.message(call.topic))
        return
    detail = f"timed out (no result within {limits.probe_timeout:g} s)" if stop.kind == "timeout" else stop.detail
    if mode == "student" and call.topic not in imported:
        import_errors[call.topic] = f"the grading process {detail} while importing your module"
    else:  # the next child's start-up is charged to this topic: failing every probe is not free
        outcomes[call.key] = _failure("GradingIncident", f"the grading process {detail} while running this check")


def read_back(session: Session, calls: list[Call], outcomes: dict[str, dict], ledger: Ledger) -> None:
    """The trusted half of round trips: a child that loads no student code reads the files a student's probe
    wrote, and what it finds becomes that probe's `read` data."""
    readers, files = [], {}
    for call in calls:
        outcome = outcomes.get(call.key)
        if getattr(call.probe, "reader", None) is None or type(outcome) is not dict or outcome.get("ok") is not True:
            continue
        data = outcome.get("data")
        bundle = data.pop("files", None) if type(data) is dict else None
        try:
            probing.check_bundle(bundle)
        except probing.ProbeDataError as exc:
            outcomes[call.key] = _failure("ProbeDataError", f"the files your code wrote could not be passed on ({exc})")
            continue
        readers.append(call)
        files[call.key] = bundle
    if not readers:
        return
    read, _ = run_calls(session, readers, mode="reader", files=files, ledger=ledger)
    for call in readers:
        result = read.get(call.key)
        if type(result) is dict and result.get("ok") is True and "data" in result:
            outcomes[call.key]["data"]["read"] = result["data"]
        else:
            error = result.get("error") if type(result) is dict else None
            why = error.get("message", "") if type(error) is dict else ""
            outcomes[call.key] = read_back_failure(str(why))


# ----------------------------------------------------------------------------------------------- verdicts
def judge(made: Plan, topic: str, outcomes: dict[str, dict], import_error: str | None) -> dict[str, dict]:
    """Verdicts on data only. Returns {task id: {"passed": bool, "message": str}}."""
    def replay(call: Call) -> dict:
        if import_error is not None:
            return _failure("ImportError", f"importing your {topic} code failed: {import_error}")
        return outcomes.get(call.key, _failure("Unanswered", "this check did not run"))

    results = {}
    for task in registry.load()[topic].tasks:
        messages = []
        for check in made.checks[task.id]:
            try:
                check(Runner(task.id, made.seed, replay, made.references[topic]))
            except AssertionError as exc:
                messages.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - data of an unexpected form: fail closed, say so
                messages.append(f"The result could not be judged: it does not have the form the docstring "
                                f"describes ({type(exc).__name__}).")
        results[task.id] = {"passed": not messages, "message": messages[0] if messages else ""}
    return results


_HOST_PATHS = None


def scrub(text: str) -> str:
    """Feedback never names where the kit, its runtime or a staging folder lives."""
    global _HOST_PATHS
    if _HOST_PATHS is None:
        import sys
        import sysconfig
        candidates = {str(KIT_ROOT): "<kit>", os.path.realpath(sysconfig.get_paths()["purelib"]): "<packages>",
                      os.path.realpath(sys.base_prefix): "<python>", sys.prefix: "<python>",
                      tempfile.gettempdir(): "<tmp>"}
        _HOST_PATHS = sorted(candidates.items(), key=lambda kv: -len(kv[0]))
    for path, name in _HOST_PATHS:
        text = text.replace(path, name)
    return text


# ----------------------------------------------------------------------------------------------- students
def grade_student(student: str, folder: Path, made: Plan, sandbox: Sandbox, limits: Limits) -> dict:
    loaded = {topic: submissions.load(folder, topic) for topic in made.topics}
    total_bytes = sum(s.size for s in loaded.values())
    if total_bytes > submissions.MAX_STUDENT_BYTES:
        for s in loaded.values():
            s.source, s.error = None, (f"The files handed in add up to {total_bytes / 2**20:.0f} MB; the limit is "
                                       f"{submissions.MAX_STUDENT_BYTES / 2**20:.0f} MB.")
    runnable = {t: s.source for t, s in loaded.items() if s.source is not None}
    ledger = Ledger(limits.topic_budget)
    outcomes: dict[str, dict] = {}
    import_errors: dict[str, str] = {}
    if runnable:
        with sandbox.session(runnable, list(runnable)) as session:
            for lane in range(max(planning.lanes().values()) + 1):
                calls = [c for topic, group in planning.lane_steps(lane) if topic in runnable
                         for c in made.calls[topic] if step_of(c) == [topic, group]]
                if not calls:
                    continue
                done, failed = run_calls(session, calls, mode="student", files={
                    c.key: made.references[c.topic].writer_files(c) for c in calls if getattr(c.probe, "writer", None)},
                    ledger=ledger)
                outcomes.update(done)
                for topic, error in failed.items():
                    import_errors.setdefault(topic, error)
            read_back(session, [c for t in runnable for c in made.calls[t]], outcomes, ledger)

    topics = {}
    for topic, submission in loaded.items():
        if submission.source is None:
            verdicts = {t.id: {"passed": False, "message": submission.error} for t in registry.load()[topic].tasks}
        else:
            verdicts = judge(made, topic, outcomes, import_errors.get(topic))
        for verdict in verdicts.values():
            verdict["message"] = scrub(verdict["message"])
        points = {t.id: t.points for t in registry.load()[topic].tasks}
        topics[topic] = {"file": submission.origin, "sha256": submission.sha256, "notes": submission.notes,
                         "source_sha256": hashlib.sha256(submission.source.encode()).hexdigest()
                         if submission.source is not None else None,
                         "seconds": round(ledger.used.get(topic, 0.0), 1), "budget": limits.topic_budget,
                         "score": sum(points[t] for t, v in verdicts.items() if v["passed"]),
                         "max_score": sum(points.values()), "tasks": verdicts}
    return {"student": student, "status": "graded", "seed": made.seed, "topics": topics,
            "total": sum(t["score"] for t in topics.values()), "max_total": sum(t["max_score"] for t in topics.values())}


def warm_compilation_cache(sandbox: Sandbox, made: Plan) -> str | None:
    """Grade the reference itself once in the sandbox, with the compilation cache writable: every program it
    compiles (the probes' own, the primitives every student's code dispatches) is then ready for the students'
    children, which read it and can never write it. Once per topic and cache: a later run that adds topics
    warms (and calibrates) just those. Doubles as a calibration run: returns what failed, if the reference does
    not earn every point in the sandbox (a grader problem), else None."""
    cache = sandbox.xla_cache
    if cache is None:
        return None
    cold = [topic for topic in made.topics if not (cache / f".filled-{topic}").exists()]
    if not cold:
        return None
    cache.mkdir(parents=True, exist_ok=True)
    cache.chmod(0o777)  # the sandbox uid writes it, this once
    sandbox.cache_writable = True
    try:
        with tempfile.TemporaryDirectory(prefix="jaxkit-reference-") as folder:
            for topic in cold:  # the warm topics have no file here: nothing of theirs runs
                (Path(folder) / f"{topic}.py").write_text((KIT_ROOT / "solutions" / f"{topic}.py").read_text())
            record = grade_student("reference", Path(folder), made, sandbox, Limits(
                probe_timeout=sandbox.limits.probe_timeout, topic_budget=10 * sandbox.limits.topic_budget))
    finally:
        sandbox.cache_writable = False
        for path in [cache, *cache.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    failed = []
    for topic in cold:
        wrong = [f"{task}: {verdict['message'][:200]}" for task, verdict in record["topics"][topic]["tasks"].items()
                 if not verdict["passed"]]
        if not wrong:
            (cache / f".filled-{topic}").write_text("the reference compiled here, in the sandbox\n")
        failed += wrong
    return "; ".join(failed) or None


def inputs_digest(folder: Path, topics: list[str]) -> str:
    """What the grade of a student depends on: the files the grader would read, as it would read them."""
    digest = hashlib.sha256()
    for topic in topics:
        for suffix in (".py", ".ipynb"):
            path = folder / f"{topic}{suffix}"
            if not submissions.present(path):
                continue
            try:
                content = hashlib.sha256(submissions.read_file(path, submissions.MAX_NOTEBOOK_BYTES)).hexdigest()
            except submissions.Unreadable as exc:
                content = f"unreadable: {exc}"
            digest.update(f"{topic}{suffix}\0{content}\0".encode())
    return digest.hexdigest()


def _run_seed(out: Path, requested: int | None) -> tuple[int, str]:
    """The output folder's grade seed (random unless asked for) and its secret (never sent to a child)."""
    path = out / "run.json"
    if path.exists():
        saved = json.loads(path.read_text())
        seed, secret = saved["seed"], saved.get("secret") or secrets.token_hex(16)
        if requested is not None and requested != seed:
            raise SystemExit(f"{out} was graded with seed {seed}; use another --out for seed {requested}.")
        return seed, secret
    seed = secrets.randbelow(2**31) if requested is None else requested
    secret = secrets.token_hex(16)
    outputs.atomic_write(path, json.dumps({"seed": seed, "secret": secret}))
    return seed, secret


def grade(root: Path, out: Path, jobs: int = 1, seed: int | None = None, require_sandbox: bool = False,
          limits: Limits = Limits(), topics: list[str] | None = None) -> int:
    console = Console(stderr=True)
    out.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox(limits, xla_cache=out / ".cache" / f"xla-{kit_digest()}")
    if not sandbox.sandboxed:
        if require_sandbox:
            console.print("[red]bubblewrap (bwrap) is not available: refusing to grade (--require-sandbox).[/red] "
                          "Install it with `make setup` (Debian: apt-get install bubblewrap).")
            return 2
        console.print("[yellow]Warning: bubblewrap (bwrap) is not available. Student code runs in separate "
                      "processes with resource limits but WITHOUT a sandbox (it can read files and use the "
                      "network). Install bubblewrap, or pass --require-sandbox to refuse.[/yellow]")
    if not root.is_dir():
        console.print(f"[red]{escape(str(root))} is not a folder of student folders.[/red]")
        return 2
    seed, secret = _run_seed(out, seed)
    compare.SHOW_EXPECTED = False  # feedback never reveals hidden expected values
    active = [t.slug for t in registry.active_topics()]
    unknown = sorted(set(topics or []) - set(active))
    if unknown:
        console.print(f"[red]Unknown or empty topic(s) {unknown}; topics with tasks: {', '.join(active)}[/red]")
        return 2
    topics = [t for t in active if topics is None or t in topics]
    started = time.monotonic()
    with console.status("Computing the reference's results ..."):
        made = Plan.make(topics, seed, out / ".cache" / f"reference-{kit_digest()}-{seed}.json", secret)
    planned = time.monotonic() - started
    with console.status("Compiling the reference in the sandbox (once per course) ..."):
        calibration = warm_compilation_cache(sandbox, made)
    if calibration:
        console.print(f"[red]Grader problem: the reference does not pass its own checks in the sandbox: "
                      f"{escape(calibration)}[/red]")
    skipped: list[str] = []
    if submissions.is_single_submission(root, topics):  # one self-learner's folder, e.g. exercises/
        root, names = root.resolve().parent, [root.resolve().name]
    else:
        names, skipped = submissions.students(root)
    records, todo = {}, []
    for name in names:
        done = out / FOLDER / name / "record.json"
        digest = inputs_digest(root / name, topics)
        if done.exists():
            record = json.loads(done.read_text())
            if record.get("seed") == seed and record.get("inputs_sha256") == digest and record.get("status") == "graded":
                records[name] = record
                continue
        todo.append((name, digest))

    def one(name: str, digest: str) -> dict:
        try:
            record = grade_student(name, root / name, made, sandbox, limits)
        except Exception:  # noqa: BLE001 - the grader's own failure: never a pass, never lost
            record = {"student": name, "status": "grader-error", "seed": seed, "topics": {},
                      "error": traceback.format_exc()[-3000:]}
        record["inputs_sha256"] = digest
        outputs.write_student(out / FOLDER / name, record)
        return record

    with Progress(console=console, transient=False) as progress:
        bar = progress.add_task(f"Grading {len(todo)} of {len(names)} students", total=len(todo))
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for future in as_completed([pool.submit(one, name, digest) for name, digest in todo]):
                record = future.result()
                records[record["student"]] = record
                progress.advance(bar)
    sandbox.close()
    ordered = [records[name] for name in names]
    outputs.write_class(out, ordered, topics, seed=seed, secret=secret, skipped=skipped,
                        seconds=time.monotonic() - started, plan_seconds=planned,
                        largest_child_mb=round(sandbox.peak_child_kb / 1024),
                        children_cpu_seconds=sandbox.cpu_ms / 1000)

    table = Table(title=f"Grades (seed {seed}): {escape(str(out / 'grades.csv'))}")
    for column in ("student", *topics, "total"):
        table.add_column(column, justify="left" if column == "student" else "right")
    for record in ordered:
        if record["status"] == "graded":
            table.add_row(escape(record["student"]), *[str(record["topics"][t]["score"]) for t in topics],
                          f"{record['total']}")
        else:
            table.add_row(escape(record["student"]), *["" for _ in topics], "[red]grader-error[/red]")
    Console(width=max(100, 16 * (len(topics) + 2))).print(table)
    for message in skipped:
        console.print(f"Skipped: {escape(message)}")
    for line in outputs.identical_summary(ordered, topics):
        console.print(escape(line))
    errors = sum(1 for r in ordered if r["status"] != "graded")
    console.print(f"{len(names) - errors} graded + {errors} grader error(s) = {len(names)} students.")
    return 1 if errors else 0
