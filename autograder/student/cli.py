"""`python -m jaxkit VERB`, run inside the exercises folder: your progress, the next task, hints, watch, reset.

    list              every task with its status and points, per topic, with a progress bar
    next              the first unfinished task: its goal, where it is, the first hint
    hint TASK         the next hint for TASK (`ema` or `gotchas.ema`): a nudge, then the idea, then nearly the code
    watch [TOPIC]     re-run a topic's visible tests each time you save (Ctrl-C to stop)
    reset TASK        put TASK's stub back (your version is kept in .jaxkit/backups/)
    check [TOPIC...]  the hidden checks on your work, when you have the whole kit (self-learners)
    lab               JupyterLab for the notebook track, with the instructor tools hidden
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import core

SYMBOLS = {core.PASSING: ("passed", "green"), core.FAILING: ("failing", "red"),
           core.NOT_STARTED: ("not started", "dim"), core.BROKEN: ("cannot load", "red")}


def console() -> Console:
    return Console(highlight=False)


def show_list(args) -> int:
    out = console()
    topics = args.topics or None
    with out.status("Running the visible tests of the topics you have started ..."):
        status = core.statuses(topics, refresh=args.refresh)
    total_points = earned = 0
    for topic, tasks in core.catalogue().items():
        if topics and topic not in topics:
            continue
        done = sum(status[t.id] == core.PASSING for t in tasks)
        points = sum(t.points for t in tasks)
        got = sum(t.points for t in tasks if status[t.id] == core.PASSING)
        total_points, earned = total_points + points, earned + got
        bar = Text.assemble(("#" * (2 * done), "green"), ("." * (2 * (len(tasks) - done)), "dim"))
        out.print(Text.assemble((f"{topic:<16}", "bold"), "[", bar, "]", f" {done}/{len(tasks)} tasks, "
                                f"{got}/{points} points"))
        table = Table(show_header=False, box=None, padding=(0, 2))
        for task in tasks:
            label, colour = SYMBOLS[status[task.id]]
            table.add_row(Text(f"  {task.id}"), Text(f"{task.points} pt"), Text(label, style=colour))
        out.print(table)
        out.print()
    out.print(Text(f"Visible tests pass for {earned} of {total_points} points. The hidden checks test more."))
    following = core.first_unfinished(status)
    if following:
        out.print(Text(f"Next: {following.id}  (python -m jaxkit next)"))
    return 0


def show_next(args) -> int:
    out = console()
    with out.status("Checking your progress ..."):
        status = core.statuses()
    task = core.first_unfinished(status)
    if task is None:
        out.print(Text("Every task passes its visible tests. Well done! `python -m jaxkit check` runs the hidden "
                       "checks if you have the whole kit."))
        return 0
    line = core.line_of(task)
    where = f"{task.topic}.py:{line}" if line else f"{task.topic}.py"
    out.print(Text.assemble(("Next: ", "bold"), (task.id, "bold cyan"), f" ({task.points} point"
                            f"{'s' if task.points != 1 else ''}, {status[task.id]})"))
    out.print(Text(f"Goal: {task.goal}"))
    out.print(Text(f"Where: {where}   Tests: tests/test_{task.topic}.py"))
    out.print(Text(f"Run: python -m jaxkit watch {task.topic}   Hints: python -m jaxkit hint {task.function}"))
    return 0


def show_hint(args) -> int:
    out = console()
    try:
        task = core.find(args.task)
    except core.Unknown as exc:
        out.print(Text(str(exc), style="red"))
        return 2
    level, text = core.next_hint(task, args.level)
    names = ("a nudge", "the idea and where to read", "nearly the code")
    out.print(Text.assemble((f"Hint {level} of {len(task.hints)} for {task.id}", "bold"), f" ({names[level - 1]}):"))
    out.print(Text(text))
    if level < len(task.hints):
        out.print(Text(f"Still stuck? `python -m jaxkit hint {task.function}` again shows hint {level + 1}.",
                       style="dim"))
    return 0


def do_reset(args) -> int:
    out = console()
    try:
        task = core.find(args.task)
    except core.Unknown as exc:
        out.print(Text(str(exc), style="red"))
        return 2
    backup = core.reset(task)
    out.print(Text(f"{task.id} is the stub again in {task.topic}.py. Your version was saved to "
                   f"{backup.relative_to(core.EXERCISES)}."))
    return 0


def kit_root() -> Path | None:
    """The whole kit, when these exercises sit inside it (the hidden checks live in its autograder/)."""
    root = core.EXERCISES.parent
    return root if (root / "autograder" / "grading").is_dir() and (root / "solutions").is_dir() else None


def do_check(args) -> int:
    out = console()
    root = kit_root()
    if root is None:
        out.print(Text("The hidden checks come with the whole kit (its autograder/ and solutions/ folders), which "
                       "this folder is not part of. Here, `pytest` runs the visible tests; your instructor's grader "
                       "runs the hidden ones. Self-learners: clone the whole kit and work in its exercises/ folder."))
        return 2
    command = [sys.executable, "-m", "autograder", "check", *args.topics, "--impl", str(core.EXERCISES)]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    return subprocess.call(command, cwd=root)


def do_lab(args) -> int:
    """JupyterLab with the student configuration (exercises/jupyter); what it writes goes to .jaxkit/lab."""
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(core.EXERCISES / "jupyter"))
    folder = Path(args.folder) if args.folder else (kit_root() / "release" if kit_root() else core.EXERCISES)
    state = core.STATE / "lab"
    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={folder}",
               f"--LabApp.user_settings_dir={state / 'user-settings'}", f"--LabApp.workspaces_dir={state / 'workspaces'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return subprocess.call(command, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jaxkit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="every task with its status and points")
    listing.add_argument("topics", nargs="*", help="only these topics")
    listing.add_argument("--refresh", action="store_true", help="run the visible tests again even if nothing changed")
    sub.add_parser("next", help="the first unfinished task")
    hint = sub.add_parser("hint", help="the next hint for a task")
    hint.add_argument("task", help="a task id (gotchas.ema) or function name (ema)")
    hint.add_argument("--level", type=int, default=None, help="show this level (1-3) instead of the next one")
    watch = sub.add_parser("watch", help="re-run a topic's visible tests on each save")
    watch.add_argument("topic", nargs="?", help="the topic (default: the one of your next task)")
    reset = sub.add_parser("reset", help="put a task's stub back")
    reset.add_argument("task")
    check = sub.add_parser("check", help="the hidden checks (needs the whole kit)")
    check.add_argument("topics", nargs="*")
    check.add_argument("--seed", type=int, default=None)
    lab = sub.add_parser("lab", help="JupyterLab with the student configuration")
    lab.add_argument("folder", nargs="?", help="the folder to open (default: the release notebooks)")
    args = parser.parse_args(argv)
    if args.command == "watch":
        from .watch import watch
        return watch(args.topic)
    handlers = {"list": show_list, "next": show_next, "hint": show_hint, "reset": do_reset, "check": do_check,
                "lab": do_lab}
    return handlers[args.command](args)
