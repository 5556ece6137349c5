"""Gradescope: `python -m autograder gradescope --out autograder.zip [--topics ...]` and what the zip runs.

The zip holds what the sandboxed grader needs (autograder/, solutions/, the release notebooks and stubs of its
topics, requirements.txt), `gradescope.json` (topics and visibility), and Gradescope's two entry points:

- `setup.sh` (run once, as root, when Gradescope builds the image): bubblewrap and util-linux from apt, Python
  3.11 (uv's managed CPython; else Ubuntu's python3.11; else the deadsnakes PPA), a venv at /opt/jaxkit/venv
  with exactly requirements.txt, then the kit made readable by root only.
- `run_autograder` (per submission): `python -m autograder gradescope-run`, i.e. `run()` below: the files
  of `/autograder/submission` named `<topic>.py` / `<topic>.ipynb` are graded by the sandboxed grader (one
  student, a fresh random seed) and `/autograder/results/results.json` is written. An error of the grader
  itself writes no results.json and exits 1: Gradescope then shows the run as failed ("The autograder failed
  to execute correctly"), never as a zero, and the instructor can re-run it.

`JAXKIT_GRADESCOPE_ROOT` moves /autograder (the kit's tests run the zip in a temporary folder laid out as
Gradescope documents); `JAXKIT_GRADESCOPE_PYTHON` names the interpreter run_autograder uses.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from .. import KIT_ROOT, registry

CONFIG = "gradescope.json"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
PREFIX = "/opt/jaxkit"  # where setup.sh puts Python and the venv (world-readable, outside the kit)

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu 22.04 base).
# It installs the kit's pinned stack; it downloads nothing at grading time.
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
SOURCE="${JAXKIT_GRADESCOPE_ROOT:-/autograder}/source"
PREFIX=__PREFIX__

apt-get update -q
# bubblewrap: the grader's sandbox (used when the container allows namespaces); util-linux: prlimit.
apt-get install -y -q --no-install-recommends bubblewrap util-linux ca-certificates curl \
    python3 python3-venv python3-pip

mkdir -p "$PREFIX"
export UV_PYTHON_INSTALL_DIR="$PREFIX/python" UV_NO_CACHE=1
python311=""
# 1. uv's managed CPython 3.11 (uv pinned; it fetches a standalone CPython build).
if python3 -m venv "$PREFIX/uv" && "$PREFIX/uv/bin/pip" install --quiet "uv==__UV__" \
        && "$PREFIX/uv/bin/uv" python install 3.11; then
    python311="$("$PREFIX/uv/bin/uv" python find 3.11)"
fi
# 2. Ubuntu's own python3.11 (jammy universe); 3. the deadsnakes PPA.
if [ -z "$python311" ]; then
    apt-get install -y -q python3.11 python3.11-venv \
      || { apt-get install -y -q software-properties-common && add-apt-repository -y ppa:deadsnakes/ppa \
           && apt-get update -q && apt-get install -y -q python3.11 python3.11-venv; }
    python311="$(command -v python3.11)"
fi
"$python311" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version'

"$python311" -m venv "$PREFIX/venv"
"$PREFIX/venv/bin/python" -m pip install --quiet --upgrade pip
# Exactly the kit's pins (requirements.txt is the kit's own file, copied into the zip).
"$PREFIX/venv/bin/python" -m pip install --quiet -r "$SOURCE/requirements.txt"
"$PREFIX/venv/bin/python" -c 'import jax, flax, optax, orbax.checkpoint; print("jax", jax.__version__)'

# The runtime stays world-readable (a sandboxed child runs it); the kit (checks, solutions) is root's only.
chmod -R a+rX "$PREFIX"
chmod -R go-rwx "$SOURCE"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this per submission, as root, from /autograder. Grades /autograder/submission and writes
# /autograder/results/results.json; on an error of the grader itself it writes none and exits non-zero.
set -uo pipefail
ROOT="${JAXKIT_GRADESCOPE_ROOT:-/autograder}"
PYTHON="${JAXKIT_GRADESCOPE_PYTHON:-__PREFIX__/venv/bin/python}"
# Nothing under /autograder is for the sandbox's unprivileged uid: the kit, the submission, the results.
chmod -R go-rwx "$ROOT/source" "$ROOT/submission" "$ROOT/results" 2>/dev/null || true
cd "$ROOT/source" || exit 1
exec "$PYTHON" -m autograder gradescope-run --root "$ROOT"
"""

UV_VERSION = "0.13.8"


def kit_files(topics: list[str]) -> list[Path]:
    """Everything the grader reads at grading time, relative to the kit root."""
    files = []
    for path in sorted((KIT_ROOT / "autograder").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append(path.relative_to(KIT_ROOT))
    files += sorted(p.relative_to(KIT_ROOT) for p in (KIT_ROOT / "solutions").glob("*.py"))
    for topic in topics:
        files += [Path("release") / topic / f"{topic}.ipynb", Path("exercises") / f"{topic}.py"]
    return files + [Path("requirements.txt")]


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same kit gives the same zip
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build(out: Path, topics: list[str] | None = None, visibility: str = "visible",
          require_sandbox: bool = False, probe_timeout: float = 90.0, topic_budget: float = 300.0) -> Path:
    """Write the Gradescope autograder zip; return its path."""
    active = [t.slug for t in registry.active_topics()]
    unknown = sorted(set(topics or []) - set(active))
    if unknown:
        raise ValueError(f"unknown or empty topic(s) {unknown}; topics with tasks: {', '.join(active)}")
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    chosen = [t for t in active if topics is None or t in topics]
    config = {"topics": chosen, "visibility": visibility, "stdout_visibility": "hidden",
              "require_sandbox": require_sandbox, "probe_timeout": probe_timeout, "topic_budget": topic_budget}
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(temporary, "w") as archive:
        _add(archive, "setup.sh", SETUP_SH.replace("__PREFIX__", PREFIX).replace("__UV__", UV_VERSION).encode(),
             0o755)
        _add(archive, "run_autograder", RUN_AUTOGRADER.replace("__PREFIX__", PREFIX).encode(), 0o755)
        _add(archive, CONFIG, (json.dumps(config, indent=1) + "\n").encode())
        for path in kit_files(chosen):
            _add(archive, path.as_posix(), (KIT_ROOT / path).read_bytes())
    os.replace(temporary, out)
    return out


# --------------------------------------------------------------------------------------------- grading
def find_files(submission: Path, topics: list[str]) -> tuple[dict[str, Path], list[str]]:
    """{"<topic>.py"/"<topic>.ipynb": path} found in the submission (the shallowest match wins), and notes."""
    found: dict[str, Path] = {}
    notes: list[str] = []
    wanted = {f"{t}{s}" for t in topics for s in (".py", ".ipynb")}
    candidates = sorted((p for p in submission.rglob("*") if not p.is_symlink() and p.is_file()),
                        key=lambda p: (len(p.relative_to(submission).parts), str(p)))
    for path in candidates:
        if path.name in wanted and path.name not in found:
            found[path.name] = path
    if not found and len(topics) == 1:  # one topic: one notebook or module under another name is accepted
        for suffix in (".ipynb", ".py"):
            loose = [p for p in candidates if p.suffix == suffix and "__MACOSX" not in p.parts]
            if len(loose) == 1:
                found[f"{topics[0]}{suffix}"] = loose[0]
                notes.append(f"Graded {loose[0].name} as {topics[0]}{suffix}.")
                break
    return found, notes


def results_json(record: dict, config: dict, seconds: float, notes: list[str]) -> dict:
    """Gradescope's results.json for one graded record: one test per task, markdown, visibility settings."""
    from .outputs import gradescope

    results = gradescope(record)
    numbers = {task.id: f"{i}.{j}" for i, topic in enumerate(record["topics"], 1)
               for j, task in enumerate(registry.load()[topic].tasks, 1)}
    for test in results["tests"]:
        test["number"] = numbers[test["name"]]
        test["tags"] = [test["name"].split(".", 1)[0]]
        test["visibility"] = config["visibility"]
        test["score"] = float(test["score"])
        test["max_score"] = float(test["max_score"])
    lines = [f"Total: {record['total']} / {record['max_total']} points."]
    for topic, data in record["topics"].items():
        lines.append(f"- {topic}: {data['score']} / {data['max_score']}"
                     + (f" (graded file: {data['file']})" if data.get("file") else " (nothing handed in)"))
        lines += [f"  - Note: {note}" for note in data.get("notes", [])]
    lines += [f"Note: {note}" for note in notes]
    lines.append(f"Graded by JAX Foundations on fresh random inputs (grade seed {record['seed']}).")
    results.update(score=float(record["total"]), output="\n".join(lines), output_format="md",
                   visibility=config["visibility"], stdout_visibility=config["stdout_visibility"],
                   execution_time=int(round(seconds)))
    return results


def run(root: Path) -> int:
    """Grade root/submission into root/results/results.json; 0 when graded, 1 (and no results.json) when the
    grader itself failed."""
    started = time.monotonic()
    results_path = root / "results" / "results.json"
    try:
        results_path.unlink(missing_ok=True)
        config = json.loads((KIT_ROOT / CONFIG).read_text())
        from .grade import FOLDER, grade
        from .launcher import Limits

        work = Path(tempfile.mkdtemp(prefix="jaxkit-gradescope-"))
        try:
            student = work / "class" / "submission"
            student.mkdir(parents=True)
            found, notes = find_files(root / "submission", config["topics"])
            for name, path in found.items():
                shutil.copyfile(path, student / name)
            print(f"Submission files: {', '.join(sorted(found)) or 'none'}", flush=True)
            status = grade(work / "class", work / "out", jobs=1, require_sandbox=config["require_sandbox"],
                           limits=Limits(probe_timeout=config["probe_timeout"], topic_budget=config["topic_budget"]),
                           topics=config["topics"])
            record_path = work / "out" / FOLDER / "submission" / "record.json"
            record = json.loads(record_path.read_text()) if record_path.exists() else None
            if status != 0 or record is None or record.get("status") != "graded":
                print("The grader could not grade this submission (a grader error, not the student's):",
                      file=sys.stderr)
                print((record or {}).get("error", f"grade() returned {status}"), file=sys.stderr)
                return 1
            results = results_json(record, config, time.monotonic() - started, notes)
            results_path.parent.mkdir(parents=True, exist_ok=True)
            from .outputs import atomic_write
            atomic_write(results_path, json.dumps(results, indent=1))
            print(f"Score {record['total']} / {record['max_total']}; wrote {results_path}", flush=True)
            return 0
        finally:
            shutil.rmtree(work, ignore_errors=True)
    except Exception:  # noqa: BLE001 - the grader's own failure: a failed run, never a zero
        results_path.unlink(missing_ok=True)
        print("The grader failed:\n" + traceback.format_exc(), file=sys.stderr)
        return 1


def default_root() -> Path:
    return Path(os.environ.get("JAXKIT_GRADESCOPE_ROOT", "/autograder"))
