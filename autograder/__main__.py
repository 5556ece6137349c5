"""Command line: python -m autograder {build,list,hint,check,grade,demo,gradescope,canvas,classroom,nbgrader-import}.
Run from the kit root."""
from __future__ import annotations

import argparse
import os
import sys

from . import KIT_ROOT, XLA_FLAGS  # noqa: E402 - no jax in it

# Before anything imports jax: simulated CPU devices for the multi-device topics, and fast compiles.
os.environ.setdefault("XLA_FLAGS", XLA_FLAGS)
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
    demo_parser = sub.add_parser("demo", help="grade a sample class through nbgrader and the sandboxed grader, "
                                 "print both gradebooks and write the LMS exports")
    demo_parser.add_argument("--topics", nargs="+", default=None, help="only these topics (default: all)")
    demo_parser.add_argument("-j", "--jobs", type=int, default=2, help="students the sandboxed grader grades at once")
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
    grade.add_argument("--roster", default=None,
                       help="CSV mapping student folders to Canvas identities (kept as OUT/canvas-roster.csv)")

    gradescope = sub.add_parser("gradescope", help="build a Gradescope autograder zip (setup.sh, run_autograder)")
    gradescope.add_argument("--out", required=True, help="the zip to write, e.g. autograder.zip")
    gradescope.add_argument("--topics", nargs="+", default=None, help="topics it grades (default: all)")
    gradescope.add_argument("--visibility", default="visible",
                            choices=("visible", "hidden", "after_due_date", "after_published"),
                            help="when students see the per-task results (Gradescope's visibility)")
    gradescope.add_argument("--require-sandbox", action="store_true",
                            help="fail the run (not grade) when the container forbids bubblewrap")
    gradescope.add_argument("--probe-timeout", type=float, default=90.0, help="seconds one probe may run")
    gradescope.add_argument("--topic-budget", type=float, default=300.0, help="seconds for all probes of a topic")
    gradescope_run = sub.add_parser("gradescope-run", help="(inside Gradescope) grade /autograder/submission")
    gradescope_run.add_argument("--root", default=None, help="Gradescope's root (default $JAXKIT_GRADESCOPE_ROOT "
                                "or /autograder)")

    canvas = sub.add_parser("canvas", help="(re)write OUT/canvas-grades.csv from a finished grading run")
    canvas.add_argument("out", help="the OUT folder of `grade`")
    canvas.add_argument("--roster", default=None, help="CSV mapping student folders to Canvas identities")

    classroom = sub.add_parser("classroom", help="write a GitHub Classroom starter repository")
    classroom.add_argument("--out", required=True, help="folder to create (must be new or empty)")
    classroom.add_argument("--topics", nargs="+", default=None, help="topics in the starter (default: all)")

    nbimport = sub.add_parser("nbgrader-import", help="grade an nbgrader course's submissions in the sandbox "
                              "and write the scores into its gradebook")
    nbimport.add_argument("course_root", help="the nbgrader course root (holds submitted/ and gradebook.db)")
    nbimport.add_argument("--out", default=None, help="grading output (default COURSE_ROOT/sandboxed)")
    nbimport.add_argument("--db", default=None, help="gradebook URL (default sqlite:///COURSE_ROOT/gradebook.db; "
                          "the db_url of nbgrader_config.py for PostgreSQL)")
    nbimport.add_argument("--topics", nargs="+", default=None, help="only these assignments (default: all)")
    nbimport.add_argument("-j", "--jobs", type=int, default=1, help="students graded in parallel")
    nbimport.add_argument("--seed", type=int, default=None, help="grade seed (random and recorded by default)")
    nbimport.add_argument("--require-sandbox", action="store_true", help="refuse to run without bubblewrap")
    args = parser.parse_args(argv)

    if args.command == "build":
        from .build.render import build as run_build
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
        # The self-learner's own code, in this process: JAX's compilation cache in the kit's folder lets a
        # repeated check reuse the programs the last one compiled (the reference's and, unchanged, yours).
        os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(KIT_ROOT / ".jax_cache"))
        os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
        from .grading.progress import check_exercises
        return check_exercises(args.topics, args.impl, args.seed)
    if args.command == "grade":
        from pathlib import Path

        from .grading.grade import grade as run_grade
        from .grading.launcher import Limits
        if args.roster:
            from .grading import canvas as canvas_export
            try:
                canvas_export.install_roster(Path(args.roster), Path(args.out))
            except canvas_export.RosterError as exc:
                print(exc, file=sys.stderr)
                return 2
        return run_grade(Path(args.submissions), Path(args.out), jobs=args.jobs, seed=args.seed,
                         require_sandbox=args.require_sandbox, limits=Limits(probe_timeout=args.probe_timeout, topic_budget=args.topic_budget),
                         topics=args.topics)
    if args.command == "gradescope":
        from pathlib import Path

        from .grading import gradescope as gs
        try:
            path = gs.build(Path(args.out), args.topics, visibility=args.visibility,
                            require_sandbox=args.require_sandbox, probe_timeout=args.probe_timeout,
                            topic_budget=args.topic_budget)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"Wrote {path}: upload it on Gradescope's Configure Autograder page (Ubuntu 22.04 base image).")
        return 0
    if args.command == "gradescope-run":
        from pathlib import Path

        from .grading import gradescope as gs
        return gs.run(Path(args.root) if args.root else gs.default_root())
    if args.command == "canvas":
        from pathlib import Path

        from .grading import canvas as canvas_export
        out = Path(args.out)
        try:
            if args.roster:
                canvas_export.install_roster(Path(args.roster), out)
            records, topics = canvas_export.load_records(out)
            path = canvas_export.write(out, records, topics)
        except (OSError, ValueError) as exc:
            print(exc, file=sys.stderr)
            return 2
        missing = canvas_export.unmatched(records, out)
        if missing:
            print(f"Not in the roster (exported with the folder name as SIS Login ID): {', '.join(missing)}",
                  file=sys.stderr)
        print(f"Wrote {path}")
        return 0
    if args.command == "classroom":
        from pathlib import Path

        from .grading import classroom
        try:
            path = classroom.write(Path(args.out), args.topics)
        except (ValueError, FileExistsError) as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"Wrote the starter repository {path} (workflow: {path / classroom.WORKFLOW}).")
        return 0
    if args.command == "nbgrader-import":
        from pathlib import Path

        from .grading.gradebook import import_course
        return import_course(Path(args.course_root), Path(args.out) if args.out else None, args.topics,
                             jobs=args.jobs, db_url=args.db, seed=args.seed, require_sandbox=args.require_sandbox)
    if args.command == "demo":
        from .grading.demo import demo
        return demo(jobs=args.jobs, topics=args.topics)
    return 2


if __name__ == "__main__":
    sys.exit(main())
