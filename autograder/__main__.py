"""Command line: python -m autograder {build,list,hint,check,demo}. Run from the kit root."""
from __future__ import annotations

import argparse
import os
import sys

# Before anything imports jax: the reference runs of the multi-device topic need simulated CPU devices.
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="generate exercises/, source/ and release/ from the masters")
    build.add_argument("--check", action="store_true", help="only report files that are out of date (exit 1)")
    sub.add_parser("list", help="topics, tasks, points and learning goals")
    hint = sub.add_parser("hint", help="print the hint of a task")
    hint.add_argument("task", help="task id, e.g. gotchas.safe_take")
    check = sub.add_parser("check", help="run the hidden checks on your exercises (self-learners)")
    check.add_argument("topics", nargs="*", help="topic slugs (default: all)")
    check.add_argument("--impl", default="exercises", help="folder with <topic>.py files or one .py file")
    check.add_argument("--seed", type=int, default=None, help="grade seed (random by default)")
    sub.add_parser("demo", help="grade the bundled sample class through nbgrader and print the gradebook")
    grade = sub.add_parser("grade", help="grade a class folder in a sandbox (one folder per student)")
    grade.add_argument("submissions", help="folder with one folder per student holding <topic>.py / <topic>.ipynb")
    grade.add_argument("--out", required=True, help="output folder (grades.csv, <student>/results.json, feedback.md)")
    grade.add_argument("-j", "--jobs", type=int, default=1, help="students graded in parallel")
    grade.add_argument("--seed", type=int, default=None, help="grade seed (random and recorded by default)")
    grade.add_argument("--require-sandbox", action="store_true", help="refuse to run without bubblewrap")
    grade.add_argument("--probe-timeout", type=float, default=90.0, help="seconds one probe may run")
    grade.add_argument("--topic-budget", type=float, default=300.0,
                       help="seconds all of one student's probes of one topic may run together")
    grade.add_argument("--topics", nargs="+", default=None, help="grade only these topics (default: all)")
    args = parser.parse_args(argv)

    if args.command == "build":
        from .build import build as run_build
        return run_build(check=args.check)
    if args.command == "list":
        from . import registry
        for topic in registry.load().values():
            print(f"{topic.slug} ({topic.max_points} points){'' if topic.tasks else ' - coming soon'}")
            for task in topic.tasks:
                print(f"  {task.id:<34} {task.points}  {task.goal}")
        return 0
    if args.command == "hint":
        from . import registry
        try:
            task = registry.task(args.task)
        except KeyError as exc:
            print(exc.args[0], file=sys.stderr)
            return 2
        print(f"{task.id}: {task.goal}\n\n{task.hint}")
        return 0
    if args.command == "check":
        from .grading.progress import check_exercises
        return check_exercises(args.topics, args.impl, args.seed)
    if args.command == "grade":
        from pathlib import Path

        from .grading.grade import grade as run_grade
        from .grading.launcher import Limits
        return run_grade(Path(args.submissions), Path(args.out), jobs=args.jobs, seed=args.seed,
                         require_sandbox=args.require_sandbox, limits=Limits(probe_timeout=args.probe_timeout, topic_budget=args.topic_budget),
                         topics=args.topics)
    if args.command == "demo":
        from .grading.demo import demo
        return demo()
    return 2


if __name__ == "__main__":
    sys.exit(main())
