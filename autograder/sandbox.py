"""Running the child (autograder/child.py) on one student file: bubblewrap, resource limits, wall clock.

Trusted side. It never imports student code and never believes an exit code: a probe's result exists only
if the child sent it on the data pipe as valid data (autograder/wire.py). A timeout, crash, signal or
malformed output marks the probe being run as failed, and a fresh child runs the probes still pending, so
an infinite loop or a crash costs only its own task.
"""
from __future__ import annotations

import functools
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import KIT_ROOT, wire

SANDBOX_SIDE = ["__init__.py", "probing.py", "wire.py", "child.py"]
SANDBOX_UIDS = range(61000, 61064)  # one uid per concurrent child; no passwd entries needed


@dataclass(frozen=True)
class Limits:
    probe_timeout: float = 90.0  # seconds of wall clock without a result, JAX start-up included
    address_space: int = 4 << 30  # JAX on CPU crashes below ~2 GiB
    file_size: int = 16 << 20
    open_files: int = 256
    nproc: int = 512  # threads count too: XLA aborts with fewer than ~32
    cpu_seconds: int = 900
    max_output: int = 64 << 20  # bytes read from the data pipe, all probes together
    tmpfs: int = 64 << 20


@functools.cache
def bwrap_path() -> str | None:
    """bubblewrap, if it is installed and can create namespaces here."""
    path = shutil.which("bwrap")
    if not path:
        return None
    probe = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net", "true"],
                           capture_output=True, timeout=30)
    return path if probe.returncode == 0 else None


def stage_sandbox_side(target: Path) -> Path:
    """Copy only what the child may see: probing, wire, child and the probes. No checks, no solutions."""
    package = target / "autograder"
    (package / "probes").mkdir(parents=True)
    for name in SANDBOX_SIDE:
        shutil.copyfile(KIT_ROOT / "autograder" / name, package / name)
    for probe in (KIT_ROOT / "autograder" / "probes").glob("*.py"):
        shutil.copyfile(probe, package / "probes" / probe.name)
    _open_up(target)
    return target


def _open_up(root: Path) -> None:
    """World-readable, so the sandbox's unprivileged uid can read the bind-mounted copies."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _ancestors(paths: list[str]) -> list[str]:
    dirs = set()
    for path in paths:
        parent = Path(path).parent
        while str(parent) != "/":
            dirs.add(str(parent))
            parent = parent.parent
    return sorted(dirs, key=lambda p: p.count("/"))


def _bwrap_command(bwrap: str, limits: Limits, grader: Path, submission: Path, argv: list[str]) -> list[str]:
    runtime = sorted({sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix)})
    mounts = [*runtime, "/grader", "/submission"]
    # The private /tmp first: mounted later, it would hide a kit (and its .venv) that lives under /tmp.
    cmd = [bwrap, "--size", str(limits.tmpfs), "--perms", "1777", "--tmpfs", "/tmp"]
    for directory in _ancestors(mounts):
        cmd += ["--perms", "0755", "--dir", directory]
    for system in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"):
        cmd += ["--ro-bind-try", system, system]
    for path in runtime:
        cmd += ["--ro-bind", path, path]
    cmd += ["--ro-bind", str(grader), "/grader", "--ro-bind", str(submission), "/submission",
            "--proc", "/proc", "--dev", "/dev", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--remount-ro", "/", "--chdir", "/tmp", "--clearenv"]
    for key, value in _child_env().items():
        cmd += ["--setenv", key, value]
    return cmd + argv


def _child_env() -> dict[str, str]:
    return {"HOME": "/tmp", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "JAX_PLATFORMS": "cpu",
            "TF_CPP_MIN_LOG_LEVEL": "2", "XLA_FLAGS": "--xla_force_host_platform_device_count=4"}


def _limit_prefix(limits: Limits) -> list[str]:
    """util-linux prlimit sets the limits on the child it execs (no preexec_fn in a threaded parent)."""
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        return []
    return [prlimit, f"--as={limits.address_space}", f"--fsize={limits.file_size}",
            f"--nofile={limits.open_files}", "--core=0", f"--cpu={limits.cpu_seconds}", "--"]


@dataclass
class ChildResult:
    outcomes: dict[str, dict]  # probe key -> {"ok": ..., "data"|"error": ...}
    import_error: dict | None  # set when importing the student's module failed (or killed the child)
    incident: str | None  # why the child stopped early, if it did
    log_tail: str
    imported: bool = False


class Sandbox:
    def __init__(self, limits: Limits = Limits(), use_bwrap: bool = True):
        self.limits = limits
        self.bwrap = bwrap_path() if use_bwrap else None
        self._stage = Path(tempfile.mkdtemp(prefix="jaxkit-grader-side-"))
        stage_sandbox_side(self._stage)
        self._uids: queue.Queue[int] = queue.Queue()
        for uid in SANDBOX_UIDS:
            self._uids.put(uid)

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None

    def close(self) -> None:
        shutil.rmtree(self._stage, ignore_errors=True)

    def run(self, topic: str, source: str, probes: list[tuple[str, str, int, list]]) -> ChildResult:
        """Run `probes` [(key, probe name, seed, args)] on `source` (the student's module text) in one child."""
        uid = self._uids.get()
        try:
            return self._run(topic, source, probes, uid)
        finally:
            self._uids.put(uid)

    def _run(self, topic: str, source: str, probes: list[tuple[str, str, int, list]], uid: int) -> ChildResult:
        with tempfile.TemporaryDirectory(prefix="jaxkit-submission-") as tmp:
            submission = Path(tmp) / "submission"
            submission.mkdir()
            (submission / f"{topic}.py").write_text(source, encoding="utf-8")
            inside = Path("/submission") if self.bwrap else submission
            grader = Path("/grader") if self.bwrap else self._stage
            job = {"topic": topic, "module": str(inside / f"{topic}.py"), "grader_path": str(grader),
                   "uid": uid if (self.bwrap and os.getuid() == 0) else 0, "nproc": self.limits.nproc,
                   "probes": [list(p) for p in probes]}
            (submission / "job.json").write_text(json.dumps(job))
            _open_up(submission)
            log_path = Path(tmp) / "child.log"
            read_fd, write_fd = os.pipe()
            argv = [sys.executable, "-I", str(grader / "autograder" / "child.py"), str(inside / "job.json"),
                    str(write_fd)]
            cmd = _bwrap_command(self.bwrap, self.limits, self._stage, submission, argv) if self.bwrap else argv
            with open(log_path, "wb") as log:
                process = subprocess.Popen(_limit_prefix(self.limits) + cmd, stdin=subprocess.DEVNULL, stdout=log,
                                           stderr=log, pass_fds=(write_fd,), start_new_session=True, cwd=tmp,
                                           env=None if self.bwrap else dict(_child_env(), PATH=os.environ.get("PATH", "")))
            os.close(write_fd)
            try:
                result = self._collect(process, read_fd, {p[0] for p in probes})
            finally:
                os.close(read_fd)
                _kill(process)
            result.log_tail = log_path.read_bytes()[-2000:].decode("utf-8", "replace")
            if not result.imported and result.import_error is None:
                reason = result.incident or _describe_exit(process.returncode)
                result.import_error = {"type": "ImportAborted", "where": "",
                                       "message": f"the process {reason} while importing your module"}
            if result.incident is None and process.returncode not in (0, None) and len(result.outcomes) < len(probes):
                result.incident = _describe_exit(process.returncode)
            return result

    def _collect(self, process, read_fd: int, expected: set[str]) -> ChildResult:
        outcomes: dict[str, dict] = {}
        import_error, incident, buffer, total, imported = None, None, b"", 0, False
        deadline = time.monotonic() + self.limits.probe_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                incident = f"timed out (no result within {self.limits.probe_timeout:g} s)"
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                process.wait()
                if len(outcomes) < len(expected) and import_error is None:
                    incident = _describe_exit(process.returncode)
                break
            total += len(chunk)
            if total > self.limits.max_output:
                incident = "sent more data than allowed"
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                try:
                    record = wire.loads(line)
                    key, outcome = _validate(record, expected)
                except wire.WireError as exc:
                    incident = f"sent malformed data ({exc})"
                    break
                if key == "imported":
                    if imported or import_error is not None:
                        incident = "sent malformed data (a second start-up message)"
                        break
                    imported = True
                    deadline = time.monotonic() + self.limits.probe_timeout
                elif not imported and key is not None:
                    incident = "sent data before importing the module finished"
                    break
                elif key is None:
                    import_error = outcome
                elif key in outcomes:
                    incident = "sent a result twice"
                    break
                else:
                    outcomes[key] = outcome
                    deadline = time.monotonic() + self.limits.probe_timeout
            if incident or import_error is not None or len(outcomes) == len(expected):
                break
        return ChildResult(outcomes, import_error, incident, "", imported)


def _validate(record, expected: set[str]) -> tuple[str | None, dict]:
    """Check a decoded line's shape: {"key": str, "outcome": {...}} or {"import_error": {...}}."""
    def error_ok(error):
        return type(error) is dict and all(type(error.get(k)) is str for k in ("type", "message", "where"))

    if type(record) is dict and set(record) == {"import_error"} and error_ok(record["import_error"]):
        return None, record["import_error"]
    if record == {"imported": True}:
        return "imported", {}
    if type(record) is not dict or set(record) != {"key", "outcome"} or record["key"] not in expected:
        raise wire.WireError("unexpected record")
    outcome = record["outcome"]
    if type(outcome) is dict and outcome.get("ok") is True and set(outcome) == {"ok", "data"}:
        return record["key"], outcome
    if type(outcome) is dict and outcome.get("ok") is False and set(outcome) == {"ok", "error"} and error_ok(outcome["error"]):
        return record["key"], outcome
    raise wire.WireError("malformed outcome")


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "did not finish"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"was killed by signal {name} (a crash, or a resource limit: memory, CPU time, file size)"
    return f"exited (status {code}) before finishing"


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL the child's whole session; with bwrap, its PID namespace dies with it (double forks too)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
