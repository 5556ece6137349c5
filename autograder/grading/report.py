"""OUT/report.html: the class report of a grading run, one self-contained HTML file beside grades.csv.

What it shows: the run (students, grader errors, skipped entries, seconds, core-seconds, peak memory, from
OUT/run.json), per topic a score histogram, per task its pass rate and its most common failure message, the
time students' code took per topic, identical work (outputs.identical_groups), grader errors, and every
student's scores. Images are PNGs drawn with matplotlib's Agg canvas (no pyplot, no global backend change)
and embedded as base64; the page loads nothing from anywhere.

Everything a student controls (names, file names, failure messages, which quote what a student's code raised)
is untrusted: it reaches the page only through `html.escape`, and never inside an image.

`outputs.write_class` calls `write(out, records, topics)` at the end of every run; to rebuild a report from a
finished OUT folder: `python -m autograder.grading.report OUT`.
"""
from __future__ import annotations

import base64
import html
import io
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

from .. import registry

MESSAGE_CHARS = 1500  # a longer failure message is cut in the table (the student's feedback.md has all of it)
ERROR_CHARS = 3000


def esc(value) -> str:
    """Any text from a record, run.json or a student's folder name, as HTML text (quotes included)."""
    return html.escape(str(value), quote=True)


def _seconds(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "n/a"
    if value >= 120:
        return f"{value:.0f} s ({value / 60:.1f} min)"
    return f"{value:.1f} s"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


# ----------------------------------------------------------------------------------------------- numbers
def _tasks_of(topic: str, records: list[dict]) -> list[tuple[str, int]]:
    """(task id, points) in the registry's order; tasks a record has that the registry lacks come last."""
    try:
        tasks = [(t.id, t.points) for t in registry.load()[topic].tasks]
    except KeyError:
        tasks = []
    known = {task for task, _ in tasks}
    for record in records:
        for task in record.get("topics", {}).get(topic, {}).get("tasks", {}):
            if task not in known:
                known.add(task)
                tasks.append((task, 0))
    return tasks


def _max_score(topic: str, records: list[dict]) -> int:
    try:
        return registry.load()[topic].max_points
    except KeyError:
        return max((int(r["topics"][topic].get("max_score", 0)) for r in records if topic in r.get("topics", {})),
                   default=0)


def topic_summary(topic: str, records: list[dict]) -> dict:
    """Numbers for one topic over the graded students: scores, per task passes and failure messages."""
    graded = [r for r in records if r.get("status") == "graded" and topic in r.get("topics", {})]
    handed_in = [r for r in graded if r["topics"][topic].get("file")]
    tasks = []
    for task, points in _tasks_of(topic, records):
        verdicts = [r["topics"][topic].get("tasks", {}).get(task) for r in graded]
        passed = sum(1 for v in verdicts if v and v.get("passed"))
        # Failure messages of the students who handed the topic in: "not handed in" is counted apart.
        messages = Counter(str(v.get("message", "")).strip() or "(no message)"
                           for r, v in zip(graded, verdicts)
                           if r["topics"][topic].get("file") and v and not v.get("passed"))
        common = sorted(messages.items(), key=lambda kv: (-kv[1], kv[0]))[:1]  # ties: the same pick in any order
        tasks.append({"task": task, "points": points, "passed": passed, "graded": len(graded),
                      "failed": sum(messages.values()), "distinct": len(messages),
                      "message": common[0][0] if common else None, "count": common[0][1] if common else 0})
    seconds = [float(r["topics"][topic].get("seconds", 0.0)) for r in handed_in]
    budgets = [r["topics"][topic].get("budget") for r in handed_in if r["topics"][topic].get("budget")]
    return {"topic": topic, "max_score": _max_score(topic, records), "graded": len(graded),
            "handed_in": len(handed_in), "scores": [int(r["topics"][topic].get("score", 0)) for r in graded],
            "tasks": tasks, "seconds": seconds, "budget": budgets[0] if budgets else None}


# ----------------------------------------------------------------------------------------------- images
def histogram_png(scores: list[int], maximum: int, title: str) -> bytes:
    """A bar per possible score 0..maximum: how many students got it. Only numbers and `title` (a topic
    name from the registry) are drawn: nothing a student wrote."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    counts = Counter(scores)
    maximum = max([maximum, *scores]) if scores else maximum
    values = list(range(0, maximum + 1))
    figure = Figure(figsize=(6.4, 2.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.bar(values, [counts.get(v, 0) for v in values], width=0.8, color="#3b6fb6")
    axes.set_xlabel("points")
    axes.set_ylabel("students")
    axes.set_title(title, fontsize=10)
    axes.set_xlim(-0.6, maximum + 0.6)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _img(png: bytes, alt: str) -> str:
    return (f'<img class="chart" alt="{esc(alt)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode("ascii")}">')


# ----------------------------------------------------------------------------------------------- page
STYLE = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 1.5em auto; max-width: 72em;
       color: #1d2330; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #d5d9e0; }
h3 { margin-bottom: 0.3em; }
table { border-collapse: collapse; margin: 0.6em 0; } th, td { border: 1px solid #d5d9e0; padding: 0.25em 0.6em;
  vertical-align: top; text-align: left; } th { background: #f1f3f7; } td.num { text-align: right; }
.facts td:first-child { font-weight: bold; }
.bar { display: inline-block; height: 0.8em; background: #3b6fb6; vertical-align: middle; }
.barbox { display: inline-block; width: 8em; background: #e3e7ee; margin-right: 0.4em; }
pre, .name { white-space: pre-wrap; word-break: break-word; } pre { margin: 0; font-size: 0.85em; max-width: 48em; }
.muted { color: #5b6475; } .bad { color: #a4161a; font-weight: bold; } .ok { color: #2b7a2b; }
img.chart { display: block; max-width: 100%; }
"""


def _facts(rows: list[tuple[str, str]]) -> str:
    return '<table class="facts">' + "".join(f"<tr><td>{esc(k)}</td><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _run_section(run: dict, records: list[dict]) -> str:
    errors = sum(1 for r in records if r.get("status") != "graded")
    core, rss = run.get("core_seconds") or {}, run.get("peak_rss_mb") or {}
    rows = [("students", esc(len(records))),
            ("graded", esc(len(records) - errors)),
            ("grader errors", f'<span class="{"bad" if errors else "ok"}">{esc(errors)}</span>'),
            ("topics", esc(", ".join(run.get("topics", [])))),
            ("grade seed", esc(run.get("seed", "n/a"))),
            ("wall-clock time", esc(_seconds(run.get("seconds")))),
            ("of which computing the reference's results", esc(_seconds(run.get("plan_seconds")))),
            ("core-seconds (grader / sandboxed children)",
             esc(f"{core.get('grader', 'n/a')} / {core.get('children', 'n/a')}")),
            ("peak memory (grader / largest child)",
             esc(f"{rss.get('grader', 'n/a')} MB / {rss.get('largest_child', 'n/a')} MB"))]
    if records and isinstance(run.get("seconds"), (int, float)):
        rows.append(("wall-clock time per student", esc(_seconds(run["seconds"] / len(records)))))
    out = ["<h2>The run</h2>", _facts(rows)]
    skipped = run.get("skipped") or []
    if skipped:
        out.append(f"<h3>Skipped entries ({len(skipped)})</h3><ul>"
                   + "".join(f'<li class="name">{esc(s)}</li>' for s in skipped) + "</ul>")
    return "\n".join(out)


def _topic_section(summary: dict) -> str:
    topic = summary["topic"]
    scores = summary["scores"]
    out = [f'<h2 id="topic-{esc(topic)}">{esc(topic)}</h2>']
    line = (f"{summary['handed_in']} of {summary['graded']} graded students handed in {esc(topic)}; "
            f"maximum {summary['max_score']} points.")
    if scores:
        line += (f" Mean {statistics.fmean(scores):.1f}, median {statistics.median(scores):g}, "
                 f"full marks: {sum(s == summary['max_score'] for s in scores)}.")
    out.append(f"<p>{line}</p>")
    if scores:
        out.append(_img(histogram_png(scores, summary["max_score"], f"{topic}: scores of {len(scores)} students"),
                        f"Histogram of {topic} scores"))
    if summary["seconds"]:
        seconds = summary["seconds"]
        budget = f" of a {summary['budget']:g} s budget" if summary["budget"] else ""
        out.append(f'<p class="muted">Time the hidden checks took per student: median {statistics.median(seconds):.1f} s, '
                   f"max {max(seconds):.1f} s{esc(budget)}.</p>")
    rows = []
    for task in summary["tasks"]:
        rate = task["passed"] / task["graded"] if task["graded"] else 0.0
        bar = (f'<span class="barbox"><span class="bar" style="width: {100 * rate:.0f}%"></span></span>'
               f"{esc(_percent(task['passed'], task['graded']))}")
        if task["message"] is None:
            failure = '<span class="muted">none</span>'
        else:
            text = task["message"]
            if len(text) > MESSAGE_CHARS:
                text = text[:MESSAGE_CHARS] + " [...]"
            others = task["distinct"] - 1
            failure = (f'<div class="muted">{task["count"]} of {task["failed"]} failing'
                       f'{f", {others} other message" + ("s" if others != 1 else "") if others else ""}:</div>'
                       f'<pre class="message">{esc(text)}</pre>')
        rows.append(f"<tr><td><code>{esc(task['task'])}</code></td><td class=\"num\">{esc(task['points'])}</td>"
                    f"<td class=\"num\">{task['passed']} / {task['graded']}</td><td>{bar}</td><td>{failure}</td></tr>")
    out.append('<table class="tasks"><tr><th>task</th><th>points</th><th>passed</th><th>pass rate</th>'
               "<th>most common failure (of students who handed it in)</th></tr>" + "".join(rows) + "</table>")
    return "\n".join(out)


def _identical_section(groups: list[tuple[str, str, list[str]]]) -> str:
    out = ["<h2>Identical work</h2>"]
    if not groups:
        out.append("<p>No two students handed in identical work.</p>")
        return "\n".join(out)
    out.append(f"<p>{len(groups)} piece(s) of work were handed in by more than one student "
               "(identical graded code; the untouched release is not counted):</p>")
    rows = "".join(f'<tr><td>{esc(topic)}</td><td><code>{esc(digest[:12])}</code></td>'
                   f'<td class="name">{esc(", ".join(names))}</td></tr>' for topic, digest, names in groups)
    out.append(f'<table class="identical"><tr><th>topic</th><th>sha256</th><th>students</th></tr>{rows}</table>')
    return "\n".join(out)


def _errors_section(records: list[dict]) -> str:
    failed = sorted((r for r in records if r.get("status") != "graded"), key=lambda r: str(r.get("student", "")))
    out = ["<h2>Grader errors</h2>"]
    if not failed:
        out.append('<p class="ok">None: every student was graded.</p>')
        return "\n".join(out)
    out.append(f'<p class="bad">{len(failed)} student(s) could not be graded because of a problem in the grader '
               "itself (never scored as a pass). To grade them again, remove their folders under students/ in "
               "this run's output folder and run the same command: the students already graded are skipped.</p>")
    for record in failed:
        error = str(record.get("error", "(no details recorded)"))[-ERROR_CHARS:]
        out.append(f'<h3 class="name">{esc(record.get("student", "?"))}</h3><pre class="error">{esc(error)}</pre>')
    return "\n".join(out)


def _students_section(records: list[dict], topics: list[str]) -> str:
    head = "".join(f"<th>{esc(t)}</th>" for t in topics)
    rows = []
    for record in sorted(records, key=lambda r: str(r.get("student", ""))):
        name = f'<td class="name">{esc(record.get("student", "?"))}</td>'
        if record.get("status") == "graded":
            cells = "".join(f'<td class="num">{esc(record.get("topics", {}).get(t, {}).get("score", ""))}</td>'
                            for t in topics)
            rows.append(f'<tr>{name}{cells}<td class="num">{esc(record.get("total", ""))}</td></tr>')
        else:
            rows.append(f'<tr>{name}{"<td></td>" * len(topics)}<td class="bad">grader-error</td></tr>')
    return (f"<h2>Students</h2><details><summary>Every student's points ({len(records)})</summary>"
            f'<table class="students"><tr><th>student</th>{head}<th>total</th></tr>{"".join(rows)}</table></details>')


def render(records: list[dict], topics: list[str], run: dict) -> str:
    """The whole page. `run` is run.json's content (missing keys show as n/a)."""
    from .outputs import identical_groups

    summaries = [topic_summary(topic, records) for topic in topics]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             # Belt and braces: even if something slipped through unescaped, nothing may run or load.
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
             "style-src 'unsafe-inline'\">",
             "<title>JAX Foundations: class report</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>JAX Foundations: class report</h1>",
             f'<p class="muted">{len(records)} students, topics: {esc(", ".join(topics)) or "none"}. '
             "Student names and failure messages are shown as plain text.</p>"]
    if summaries:
        parts.append("<ul>" + "".join(f'<li><a href="#topic-{esc(s["topic"])}">{esc(s["topic"])}</a>: '
                                      f"{s['handed_in']} handed in</li>" for s in summaries) + "</ul>")
    parts.append(_run_section(run, records))
    parts.append(_errors_section(records))
    parts.append(_identical_section(identical_groups(records, topics)))
    if len(topics) > 1:
        totals = [int(r.get("total", 0)) for r in records if r.get("status") == "graded"]
        if totals:
            maximum = sum(s["max_score"] for s in summaries)
            parts.append("<h2>Totals</h2>" + _img(histogram_png(totals, maximum, f"total over {len(topics)} topics"),
                                                  "Histogram of total scores"))
    parts += [_topic_section(s) for s in summaries]
    parts.append(_students_section(records, topics))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write(out: Path, records: list[dict], topics: list[str]) -> Path | None:
    """Write OUT/report.html from the run's records and OUT/run.json. A report that cannot be drawn never costs
    the run its grades: it says why on stderr and returns None."""
    from .outputs import atomic_write

    try:
        run_path = out / "run.json"
        run = json.loads(run_path.read_text()) if run_path.is_file() else {}
        path = out / "report.html"
        atomic_write(path, render(records, topics, run))
        return path
    except Exception as exc:  # noqa: BLE001 - the grades are already written; the report is extra
        print(f"warning: the class report could not be written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None


def load(out: Path) -> tuple[list[dict], list[str]]:
    """The records and topics of a finished run in OUT (students/<name>/record.json, run.json)."""
    run = json.loads((out / "run.json").read_text())
    records = [json.loads(p.read_text()) for p in sorted((out / "students").glob("*/record.json"))]
    return records, list(run.get("topics", []))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m autograder.grading.report OUT   (rebuilds OUT/report.html from a finished run)",
              file=sys.stderr)
        return 2
    out = Path(args[0])
    if not (out / "run.json").is_file():
        print(f"{out} holds no run.json: not the --out folder of a grading run.", file=sys.stderr)
        return 2
    records, topics = load(out)
    path = write(out, records, topics)
    if path is None:
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
