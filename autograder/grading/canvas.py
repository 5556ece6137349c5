"""Canvas: the grade import CSV every grading run writes beside grades.csv (OUT/canvas-grades.csv).

Canvas's Gradebook import (Grades > Import) reads a CSV whose header starts with the student columns
`Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section` (the last student column must be `Section`), then one
column per assignment. A row whose first cell is `Points Possible` gives each assignment's points; Canvas
creates an assignment it does not know yet with those points. A student row is matched by the Canvas user
`ID` when it is given, else by `SIS User ID`, else by `SIS Login ID`, else by name. One assignment per topic,
titled with the topic's slug: name the Canvas assignments after the slugs, or let the import create them.

Identities come from a roster (`--roster`, copied to OUT/canvas-roster.csv so every later run of the same OUT
uses it): a CSV with a header naming any of Canvas's student columns and, optionally, `folder` (the student's
folder name in the class folder). A Canvas gradebook export works as it is; without a `folder` column a
folder is matched with `SIS Login ID`, then `SIS User ID`, then `ID`. Without a roster, or for a folder the
roster does not name, the folder name is the SIS Login ID. A student the grader could not grade gets empty
cells (Canvas leaves those grades unchanged), never a 0.
"""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from .. import registry

FILE = "canvas-grades.csv"
ROSTER = "canvas-roster.csv"
STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_ROW = "Points Possible"


class RosterError(ValueError):
    """A roster the export cannot use; the message says why."""


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """{folder name: {Canvas student column: value}} from a roster CSV (see the module docstring)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path} could not be read as UTF-8 text: {exc}") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    header = [name.strip() for name in (csv.DictReader(io.StringIO(text)).fieldnames or [])]
    known = [c for c in STUDENT_COLUMNS if c in header]
    if not known:
        raise RosterError(f"{path} has none of Canvas's student columns ({', '.join(STUDENT_COLUMNS)}) in its "
                          f"header; it has: {', '.join(header) or 'nothing'}.")
    keys = ["folder"] if "folder" in header else [c for c in ("SIS Login ID", "SIS User ID", "ID") if c in header]
    if not keys:
        raise RosterError(f"{path} needs a `folder` column, or one of `SIS Login ID`, `SIS User ID`, `ID` to match "
                          "student folders with.")
    roster: dict[str, dict[str, str]] = {}
    for row in rows:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if row.get("Student", "").startswith(POINTS_ROW) or not any(row.values()):
            continue  # a Canvas export's points row, or a blank line
        identity = {c: row.get(c, "") for c in STUDENT_COLUMNS}
        for key in keys:
            if row.get(key):
                if row[key] in roster:
                    raise RosterError(f"{path} names the folder {row[key]!r} twice.")
                roster[row[key]] = identity
                break
    return roster


def install_roster(source: Path, out: Path) -> dict[str, dict[str, str]]:
    """Check a roster and keep a copy in OUT, where every later export of this OUT finds it."""
    roster = read_roster(source)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out / ROSTER)
    return roster


def identity(student: str, roster: dict[str, dict[str, str]]) -> dict[str, str]:
    found = roster.get(student)
    if found is None:
        return {"Student": student, "ID": "", "SIS User ID": "", "SIS Login ID": student, "Section": ""}
    return {**found, "Student": found.get("Student") or student}


def render(records: list[dict], topics: list[str], roster: dict[str, dict[str, str]] | None = None) -> str:
    """The import CSV for graded records (a record as outputs.write_student stores it)."""
    roster = roster or {}
    tasks = registry.load()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*STUDENT_COLUMNS, *topics])
    writer.writerow([POINTS_ROW, *["" for _ in STUDENT_COLUMNS[1:]], *[tasks[t].max_points for t in topics]])
    for record in sorted(records, key=lambda r: r["student"]):
        who = identity(record["student"], roster)
        graded = record.get("status") == "graded"
        scores = [record["topics"][t]["score"] if graded and t in record.get("topics", {}) else "" for t in topics]
        writer.writerow([who[c] for c in STUDENT_COLUMNS] + scores)
    return buffer.getvalue()


def write(out: Path, records: list[dict], topics: list[str]) -> Path:
    """OUT/canvas-grades.csv, with the roster kept in OUT if there is one. Returns its path."""
    from .outputs import atomic_write

    roster_path = out / ROSTER
    roster = read_roster(roster_path) if roster_path.is_file() else {}
    path = out / FILE
    atomic_write(path, render(records, topics, roster))
    return path


def unmatched(records: list[dict], out: Path) -> list[str]:
    """Students whose folder the kept roster does not name (exported with the folder name as login id)."""
    roster_path = out / ROSTER
    if not roster_path.is_file():
        return []
    roster = read_roster(roster_path)
    return sorted(r["student"] for r in records if r["student"] not in roster)


def load_records(out: Path) -> tuple[list[dict], list[str]]:
    """The records and topics of a finished grading run in OUT (for re-exporting without grading again)."""
    import json

    from .grade import FOLDER

    run = json.loads((out / "run.json").read_text())
    records = [json.loads(p.read_text()) for p in sorted((out / FOLDER).glob("*/record.json"))]
    return records, list(run.get("topics") or [])
