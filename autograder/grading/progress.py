"""`python -m autograder check [TOPIC ...] [--impl PATH]`: the hidden checks on your own work, for self-learners.

PATH is a folder of `<topic>.py` files (default: exercises/), one `.py` file, or one filled-in release
notebook (`<topic>.ipynb`: only its solution cells count, as for the graders). Each run draws fresh random
inputs (the seed is printed; `--seed N` repeats a run). Your code runs in this process: use the sandboxed
grader (`python -m autograder grade`) for work you do not trust.
"""
from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import KIT_ROOT, registry
from ..sandbox.probing import load_module
from . import submissions
from .plan import checks_for
from .runner import InProcess, Reference, Runner, StudentError


def _implementation(impl: Path, topic: str, scratch: Path):
    """(module, None) or (None, a sentence saying why this topic cannot be checked)."""
    if impl.is_dir():
        candidates = [impl / f"{topic}.py", impl / f"{topic}.ipynb"]
        impl = next((c for c in candidates if c.exists()), candidates[0])
    if not impl.exists():
        return None, f"There is no {impl.name} to check."
    if impl.suffix == ".ipynb":
        loaded = submissions.load_notebook(impl, topic)
        if loaded.source is None:
            return None, loaded.error
        impl = scratch / f"{topic}.py"
        impl.write_text(loaded.source, encoding="utf-8")
    try:
        return load_module(str(impl), label="mine"), None
    except Exception as exc:  # noqa: BLE001 - the student's file does not import
        return None, f"Importing {impl.name} failed with {type(exc).__name__}: {exc}. Fix this first."


def check_exercises(topics: list[str], impl: str, seed: int | None) -> int:
    console = Console(highlight=False)
    known = [t.slug for t in registry.active_topics()]
    path = Path(impl) if Path(impl).is_absolute() or Path(impl).exists() else KIT_ROOT / impl
    if not topics and path.suffix in (".py", ".ipynb"):
        topics = [path.stem] if path.stem in known else []
    topics = topics or known
    unknown = [t for t in topics if t not in known]
    if unknown:
        console.print(Text(f"Unknown or empty topic(s) {unknown}; topics with tasks: {', '.join(known)}", style="red"))
        return 2
    seed = secrets.randbelow(2**31) if seed is None else seed
    table = Table(title=f"Hidden checks on {path} (grade seed {seed}; repeat with --seed {seed})", show_lines=True)
    for column in ("task", "points", "result"):
        table.add_column(column)
    earned = possible = 0
    with tempfile.TemporaryDirectory(prefix="jaxkit-check-") as scratch:
        for topic in topics:
            with console.status(f"Running the hidden checks of {topic} ..."):
                module, problem = _implementation(path, topic, Path(scratch))
                reference = Reference(topic)
                student = InProcess(module, reference) if module is not None else None
                for task in registry.load()[topic].tasks:
                    message = problem
                    if student is not None:
                        for check in checks_for(task.id):
                            try:
                                check(Runner(task.id, seed, student, reference))
                            except (AssertionError, StudentError) as exc:
                                message = str(exc)
                                break
                    possible += task.points
                    earned += 0 if message else task.points
                    result = Text("passed", style="green") if not message else Text.assemble(
                        ("not yet: ", "red"), message, ("\nHint: " + task.hint, "dim"))
                    table.add_row(Text(task.id), Text(f"{0 if message else task.points}/{task.points}"), result)
    console.print(table)
    console.print(Text(f"Score: {earned}/{possible}. `python -m jaxkit hint TASK` (inside exercises/) gives more hints."))
    return 0 if earned == possible else 1
