"""Starting the sandboxes and children, and reading what they send: bubblewrap, limits, the channel.

A sandbox (``Zygote``) is bubblewrap around a zygote (autograder/sandbox/zygote.py) that imports JAX and the
probes once and forks each child (autograder/sandbox/child.py) on request, with the child's pipes passed over
its socket; a grading thread keeps one for the students it grades in turn (``Session`` is one student's
children), where each child can have a uid and namespaces of its own. Trusted side. It never imports student
code and never believes an exit code: a child's result exists only if it arrived on the data pipe as valid data
(autograder/sandbox/wire.py) in the expected order. Inside bubblewrap the children see neutral paths only: the
Python runtime at /runtime/python, the packages at /runtime/site-packages, the sandbox side of the kit at
/grader, the student's job at /job/student (only while that student is graded). Nothing else of the host: no
kit checkout, no solutions, no checks, no gradebook, no other student.
"""
from __future__ import annotations

import array
import compileall
import functools
import json
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import KIT_ROOT, XLA_FLAGS
from ..sandbox import wire

def _uid_range() -> range:
    """One uid per concurrent child, no passwd entries needed. JAXKIT_SANDBOX_UID_BASE moves the range, so
    two graders on one machine (or a test) can tell their children apart."""
    base = int(os.environ.get("JAXKIT_SANDBOX_UID_BASE", "61000"))
    return range(base, base + 64)


SANDBOX_UIDS = _uid_range()
INSIDE = {"python": "/runtime/python", "site": "/runtime/site-packages", "grader": "/grader", "job": "/job",
          "xla_cache": "/runtime/xla-cache"}


@dataclass(frozen=True)
class Limits:
    probe_timeout: float = 90.0  # seconds of wall clock without a result
    # A child's start-up (JAX and the probes imported, before any student code) is the grader's own work: on a
    # loaded machine it may take long, and a first start must not cost a record. A restarted child's start-up
    # still counts against the student's topic budget (crashing every probe is not free).
    startup_timeout: float = 300.0
    topic_budget: float = 300.0  # seconds of wall clock for all of one student's probes of one topic
    address_space: int = 6 << 30  # JAX on CPU crashes below ~2 GiB; several topics share one child
    file_size: int = 16 << 20
    open_files: int = 256
    nproc: int = 512  # threads count too: XLA aborts with fewer than ~32
    cpu_seconds: int = 1800
    max_output: int = 96 << 20  # bytes read from the data pipe per child
    tmpfs: int = 96 << 20


@functools.cache
def bwrap_path() -> str | None:
    """bubblewrap, if it is installed and can create namespaces here."""
    path = shutil.which("bwrap")
    if not path:
        return None
    try:
        probe = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net", "true"],
                               capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if probe.returncode == 0 else None


def runtime() -> dict[str, str]:
    """Where this interpreter's pieces live on the host: the base Python and the packages."""
    base = os.path.realpath(sys.base_prefix)
    executable = os.path.realpath(sys.executable)
    if not executable.startswith(base + os.sep):
        executable = os.path.join(base, "bin", f"python{sys.version_info.major}.{sys.version_info.minor}")
    return {"prefix": base, "executable": executable, "site": os.path.realpath(sysconfig.get_paths()["purelib"])}


def _usable_by_others(found: dict[str, str]) -> bool:
    """Whether a user other than the owner can run this interpreter and read its packages (every folder on
    the way traversable, the files readable): pyenv under /root, for one, is not."""
    import stat

    for path in (found["executable"], found["site"]):
        current = Path(path)
        for folder in [*reversed(current.parents), current]:
            try:
                mode = folder.stat().st_mode
            except OSError:
                return False
            needed = stat.S_IXOTH if folder.is_dir() else stat.S_IROTH
            if not mode & needed:
                return False
    return True


def stage_sandbox_side(target: Path) -> Path:
    """Copy only what the child may see: autograder/sandbox (child, probing, wire, probes). No checks, no
    solutions, no registry, no grader."""
    source = KIT_ROOT / "autograder"
    (target / "autograder").mkdir(parents=True)
    shutil.copyfile(source / "__init__.py", target / "autograder" / "__init__.py")
    shutil.copytree(source / "sandbox", target / "autograder" / "sandbox",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # Bytecode made here, from these copies, once per run: each child would otherwise compile the same
    # sources again (it cannot write into the read-only copy).
    compileall.compile_dir(str(target / "autograder"), quiet=2)
    _open_up(target)
    return target


def _open_up(root: Path) -> None:
    """World-readable, so the sandbox's unprivileged uid can read the bind-mounted copies."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


class Stop:
    """Why a child stopped sending: it finished, timed out, crashed, or sent something that is not data."""

    def __init__(self, kind: str, detail: str):
        self.kind, self.detail = kind, detail  # kind: "exited", "timeout", "malformed", "flood"

    def __repr__(self) -> str:
        return f"Stop({self.kind}: {self.detail})"


def describe_exit(code: int | None) -> str:
    if code is None:
        return "did not finish"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"was killed by signal {name} (a crash, or a resource limit: memory, CPU time, file size)"
    return f"exited (status {code}) before finishing"


def _event(record) -> dict | None:
    """A decoded line as a known event, or None when it is not one."""
    if type(record) is not dict or type(record.get("event")) is not str:
        return None
    kind = record["event"]
    if kind == "ready" and set(record) == {"event"}:
        return record
    if kind == "imported" and set(record) == {"event", "topic"} and type(record["topic"]) is str:
        return record
    if kind == "import_error" and set(record) == {"event", "topic", "error"} and type(record["topic"]) is str:
        error = record["error"]
        if type(error) is dict and set(error) == {"type", "message", "where"} and \
                all(type(v) is str for v in error.values()):
            return record
    if kind == "result" and set(record) == {"event", "key", "outcome"} and type(record["key"]) is str:
        return record
    if kind == "done" and set(record) == {"event", "peak_rss_kb", "cpu_ms"} and \
            all(type(record[k]) is int for k in ("peak_rss_kb", "cpu_ms")):
        return record
    return None


class Child:
    """One running child: read its events one at a time, each within a deadline."""

    def __init__(self, session: "Session", pid: int, uid: int, read_fd: int, control_fd: int, folder: Path):
        self.session, self.pid, self.uid, self.read_fd, self.folder = session, pid, uid, read_fd, folder
        self.control_fd = control_fd  # ours to write: what the child may hold from now on (plain JSON lines)
        self.buffer, self.total, self.limits = b"", 0, session.sandbox.limits
        self.returncode: int | None = None

    def send(self, message: dict, timeout: float) -> Stop | None:
        """Write one line on the control pipe, never blocking past `timeout` (a child that does not read its
        pipe costs its own probe, not the grader's thread). None once written, or when the child is gone (its
        exit shows on the data pipe)."""
        data = json.dumps(message).encode() + b"\n"
        deadline = time.monotonic() + max(0.0, timeout)
        while data:
            try:
                data = data[os.write(self.control_fd, data):]
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Stop("timeout", "did not read what the grader sent")
                select.select([], [self.control_fd], [], remaining)
            except (BrokenPipeError, OSError):
                return None
        return None

    def next_event(self, timeout: float) -> dict | Stop:
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                try:
                    event = _event(wire.loads(line))
                except wire.WireError as exc:
                    return Stop("malformed", f"sent malformed data ({exc})")
                return event if event is not None else Stop("malformed", "sent malformed data (an unknown record)")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Stop("timeout", "timed out")
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                self.finish(grace=10.0)
                if self.buffer:
                    return Stop("malformed", "sent an unfinished line")
                return Stop("exited", describe_exit(self.returncode) if self.returncode else "exited")
            self.total += len(chunk)
            if self.total > self.limits.max_output:
                return Stop("flood", "sent more data than allowed")
            self.buffer += chunk

    def finish(self, grace: float = 0.0) -> None:
        """Wait up to `grace` seconds for the child to exit by itself (a child that sent everything is then
        counted whole), then kill every process it started, in any session, and reap it. Once."""
        if self.pid is not None:
            self.returncode = self.session.finish(self.pid, grace)
            self.pid = None
            sandbox = self.session.sandbox
            if self.returncode is None and sandbox.drop_uid and not sandbox.bwrap and shutil.which("pkill"):
                # The zygote is gone before it could kill the child's processes, and without bubblewrap no
                # PID namespace took them along: kill them from here before the uid serves another student.
                subprocess.run(["pkill", "-KILL", "-U", str(self.uid)], capture_output=True, timeout=30)
            sandbox._uids.put(self.uid)  # every process of the uid is gone
            self.session.children.discard(self)

    def close(self, grace: float = 0.0) -> None:
        self.finish(grace)
        os.close(self.read_fd)
        os.close(self.control_fd)
        shutil.rmtree(self.folder, ignore_errors=True)


class Zygote:
    """One sandbox: bubblewrap around a zygote (autograder/sandbox/zygote.py) that imports JAX and the probes of
    `topics` once, before any student code exists, and forks a child on each request, with the child's pipes
    passed over its socket. It never runs student code itself, holds nothing of a student's but what a child is
    handed, and never sees a reference solution.

    Where each child gets a uid of its own (a root grader), a grading thread keeps one zygote for every student
    it grades in turn (``Sandbox.session``): each child still starts as a fresh sandbox would (a uid, a session,
    mount, IPC, network and UTS namespaces and an empty ``/tmp`` of its own; child.py), and every process of a
    child is killed when it finishes, so nothing passes from one student's children to the next student's. The
    students' job folders lie in the one folder the sandbox sees as /job, each only while its student is
    graded. A zygote whose compilation cache is mounted writable (the trusted reference run only) is never
    shared (``Sandbox._zygote``)."""

    def __init__(self, sandbox: "Sandbox", topics: list[str], shared: bool):
        self.sandbox, self.topics, self.shared = sandbox, sorted(set(topics)), shared
        self.workdir = tempfile.TemporaryDirectory(prefix="jaxkit-job-")
        self.root = Path(self.workdir.name)
        self.jobs = self.root / "job"
        self.jobs.mkdir()
        self.root.chmod(0o711)  # a child's uid passes through to its job, and reads nothing else here
        self.jobs.chmod(0o755)
        self.log_path = self.root / "zygote.log"
        self.process: subprocess.Popen | None = None
        self.channel: socket.socket | None = None
        self.counted_ms = 0  # of this process's CPU time, what the sandbox's statistics hold already

    def serves(self, topics: list[str]) -> bool:
        return set(topics) <= set(self.topics)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def inside(self, host: Path) -> Path:
        """How the children name a path under this zygote's job folder."""
        return Path(self.sandbox.inside("job", self.jobs)) / host.relative_to(self.jobs)

    def start(self) -> None:
        sandbox = self.sandbox
        setup = {"site": sandbox.inside("site", sandbox.runtime["site"]), "topics": self.topics,
                 "grader": sandbox.inside("grader", sandbox._stage)}
        (self.jobs / "setup.json").write_text(json.dumps(setup))
        _open_up(self.jobs / "setup.json")
        python = sandbox.runtime["executable"]
        if sandbox.bwrap:
            python = INSIDE["python"] + python[len(sandbox.runtime["prefix"]):]
        zygote_py = Path(sandbox.inside("grader", sandbox._stage)) / "autograder" / "sandbox" / "zygote.py"
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [python, "-I", "-S", "-B", str(zygote_py), str(self.inside(self.jobs / "setup.json")),
                str(theirs.fileno())]
        cmd = sandbox._bwrap_command(self.jobs, argv) if sandbox.bwrap else argv
        env = None if sandbox.bwrap else dict(sandbox._env(), PATH=os.environ.get("PATH", ""))
        try:
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(_limit_prefix(sandbox.limits) + cmd, stdin=subprocess.DEVNULL,
                                                stdout=log, stderr=log, pass_fds=(theirs.fileno(),),
                                                start_new_session=True, cwd=self.root, env=env)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.channel = ours
        ready = self._receive(sandbox.limits.startup_timeout)
        if ready is None or ready.get("event") != "ready":
            self.stop()
            raise ZygoteError(f"the grading process did not start ({self._log_tail()[-400:]!r})")

    def _receive(self, timeout: float) -> dict | None:
        try:
            self.channel.settimeout(max(timeout, 0.001))
            message = self.channel.recv(1 << 16)
            answer = json.loads(message) if message else None
        except (OSError, ValueError):
            return None
        return answer if type(answer) is dict else None

    def ask(self, request: dict, timeout: float, fds: tuple[int, ...] = ()) -> dict:
        """One request to the zygote and its answer; a zygote that does not answer is stopped (ZygoteError)."""
        if self.channel is None:
            raise ZygoteError("the grading process is not running")
        try:
            self.channel.settimeout(timeout)
            self.channel.sendmsg([json.dumps(request).encode()],
                                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else [])
        except OSError:
            answer = None
        else:
            answer = self._receive(timeout)
        if answer is None or "error" in answer:
            why = answer["error"] if answer else "no answer"
            self.channel.close()  # never asked again: stopping it (here or in a stop that was counting) asks nothing
            self.channel = None
            self.stop()
            raise ZygoteError(f"the grading process failed ({why})")
        return answer

    def account(self) -> None:
        """Add what this zygote and the children it reaped used since it last counted to the sandbox's statistics
        (a shared zygote counts after each student: it may die with its grading thread, uncounted)."""
        if self.channel is None or not self.running():
            return
        try:
            usage = self.ask({"op": "usage"}, 10.0)
        except ZygoteError:
            return
        if type(usage.get("cpu_ms")) is int and type(usage.get("peak_rss_kb")) is int:
            with self.sandbox._lock:
                self.sandbox.cpu_ms += max(0, usage["cpu_ms"] - self.counted_ms)
                self.sandbox.peak_child_kb = max(self.sandbox.peak_child_kb, usage["peak_rss_kb"])
            self.counted_ms = max(self.counted_ms, usage["cpu_ms"])

    def stop(self) -> None:
        """Kill the sandbox and everything in it (its statistics counted first). Safe to call again, and from
        inside itself: a zygote that does not answer the count is stopped by ``ask`` before this goes on."""
        if self.process is not None:
            self.account()
        process, self.process = self.process, None
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the sandbox's init and everything in it
            except (ProcessLookupError, PermissionError):
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        self.counted_ms = 0

    def close(self) -> None:
        self.stop()
        self.workdir.cleanup()

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_bytes()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""


class Session:
    """One student's children, each a fresh fork of a zygote (``Zygote``) that imported JAX and the probes
    before any student code existed.

    Each child is a process of its own, under a uid of its own (so an earlier child's processes can neither
    signal nor read it, and are all killed when it is finished), with a session, namespaces and a private
    ``/tmp`` of its own, and nothing of an earlier child's but the zygote's untouched memory. Without a uid per
    child (a grader that is not root), each child gets a sandbox and a zygote of its own. Use as a context
    manager; closing it kills every process the student's children started and removes the student's files."""

    def __init__(self, sandbox: "Sandbox", sources: dict[str, str], topics: list[str]):
        self.sandbox, self.topics = sandbox, topics
        self.zygote = sandbox._zygote(topics)
        self.workdir = tempfile.TemporaryDirectory(prefix="jaxkit-logs-")  # the children's logs: host only
        self.root = Path(self.workdir.name)
        self.job_dir = self.zygote.jobs / "student"  # the same paths for every student, the reference's run too
        try:
            self.job_dir.mkdir()
        except FileExistsError:  # another session of this zygote is open (a test's, never the grader's)
            self.job_dir = Path(tempfile.mkdtemp(prefix="student-", dir=self.zygote.jobs))
        (self.job_dir / "submission").mkdir()
        self.modules = {}
        for topic, text in sources.items():
            (self.job_dir / "submission" / f"{topic}.py").write_text(text, encoding="utf-8")
            self.modules[topic] = str(self.zygote.inside(self.job_dir / "submission" / f"{topic}.py"))
        _open_up(self.job_dir)
        self.count = 0
        self.children: set[Child] = set()  # started and not yet finished

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- children
    def start(self, job: dict, files: dict[str, dict]) -> Child:
        """Fork a child on `job` (child.py's format without paths) and round-trip file bundles by item id. The
        job holds no reference code: a student child is handed each step's over its control pipe
        (`Child.send`) when the step starts. Give the child back with `Child.close`."""
        from ..sandbox.probing import unpack_files

        sandbox, zygote = self.sandbox, self.zygote
        if zygote.process is not None and (not zygote.running() or (self.count and not sandbox.drop_uid)):
            # Children that cannot get a uid of their own (a grader that is not root) could signal or trace a
            # zygote of their uid: each of them gets a sandbox and a zygote of its own, as fresh as the last.
            zygote.stop()
        if zygote.process is None:
            zygote.start()
        uid = sandbox._uids.get()
        try:
            self.count += 1
            folder = self.job_dir / f"child-{self.count}"
            inside = zygote.inside(folder)
            folder.mkdir()
            for topic in job["topics"]:
                job["topics"][topic]["module"] = self.modules.get(topic)
            for item in job["items"]:
                if item["id"] in files:
                    target = folder / "files" / item["id"]
                    target.mkdir(parents=True)
                    unpack_files(files[item["id"]], str(target))
                    item["files"] = str(inside / "files" / item["id"])
            (folder / "job.json").write_text(json.dumps(job))
            _own(folder, uid if sandbox.drop_uid else None)
            read_fd, write_fd = os.pipe()
            control_read, control_write = os.pipe()
            os.set_blocking(control_write, False)
            log_fd = os.open(self.root / f"{folder.name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                answer = zygote.ask({"op": "fork", "job": str(inside / "job.json"),
                                     "uid": uid if sandbox.drop_uid else 0, "nproc": sandbox.limits.nproc,
                                     "own_namespaces": bool(sandbox.bwrap and sandbox.drop_uid),
                                     "tmpfs": sandbox.limits.tmpfs,
                                     "cwd": "/tmp" if sandbox.bwrap else str(self.root)},
                                    30.0, (write_fd, control_read, log_fd))
            except BaseException:
                os.close(read_fd)
                os.close(control_write)
                raise
            finally:
                for fd in (write_fd, control_read, log_fd):
                    os.close(fd)
            if type(answer.get("pid")) is not int:
                os.close(read_fd)
                os.close(control_write)
                zygote.stop()
                raise ZygoteError("the grading process did not fork")
        except BaseException:
            sandbox._uids.put(uid)
            raise
        child = Child(self, answer["pid"], uid, read_fd, control_write, folder)
        self.children.add(child)
        return child

    def finish(self, pid: int, grace: float) -> int | None:
        """The zygote reaps child `pid` (see Child.finish). None: its status is unknown."""
        try:
            answer = self.zygote.ask({"op": "finish", "pid": pid, "grace": grace}, grace + 60.0)
        except ZygoteError:
            return None  # the sandbox, and every process in it, is gone
        status = answer.get("status")
        return status if type(status) is int else None

    def close(self) -> None:
        for child in list(self.children):  # one its caller did not close: killed with all its processes
            child.close()
        if self.zygote.shared:
            self.zygote.account()
        else:
            self.zygote.close()
        shutil.rmtree(self.job_dir, ignore_errors=True)
        self.workdir.cleanup()


class ZygoteError(RuntimeError):
    """The zygote of a student's sandbox stopped answering: the child in question fails as a crash would."""


def _own(folder: Path, uid: int | None) -> None:
    """A child's job folder: readable by that child's uid alone (by everyone where children share the grader's
    uid, as without root)."""
    for path in [folder, *folder.rglob("*")]:
        if uid is not None:
            os.chown(path, uid, uid)
            path.chmod(0o700 if path.is_dir() else 0o600)
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


class Sandbox:
    def __init__(self, limits: Limits = Limits(), use_bwrap: bool = True, xla_cache: Path | None = None):
        """`xla_cache`: JAX's persistent compilation cache, filled by the grader's own reference run. Children
        read it (the same primitive programs every student's code compiles) but can never write it: it is
        mounted read-only, or, without bubblewrap, left out unless children run under their own uid."""
        self.limits = limits
        self.bwrap = bwrap_path() if use_bwrap else None
        self.runtime = runtime()
        # Children run under a uid of their own whenever the grader is root: inside bubblewrap always, and
        # without it (a container that forbids namespaces) when other users can run this Python at all.
        self.drop_uid = os.getuid() == 0 and (self.bwrap is not None or _usable_by_others(self.runtime))
        self.xla_cache = xla_cache if xla_cache is not None and (self.bwrap or self.drop_uid) else None
        self.cache_writable = False  # only while the trusted reference fills it (grade.warm_compilation_cache)
        self.peak_child_kb = 0  # the largest peak memory of a zygote or a child it reaped (statistics only)
        self.cpu_ms = 0  # CPU time of the zygotes and every child they reaped (statistics only)
        self._stage = Path(tempfile.mkdtemp(prefix="jaxkit-grader-side-"))
        stage_sandbox_side(self._stage)
        self._uids: queue.Queue[int] = queue.Queue()
        for uid in _uid_range():
            self._uids.put(uid)
        self._mine = threading.local()  # each grading thread's shared zygote
        self._zygotes: list[Zygote] = []  # every shared zygote, closed with the sandbox
        self._lock = threading.Lock()

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None

    def close(self) -> None:
        with self._lock:
            zygotes, self._zygotes = self._zygotes, []
        for zygote in zygotes:
            zygote.close()
        shutil.rmtree(self._stage, ignore_errors=True)

    def _zygote(self, topics: list[str]) -> Zygote:
        """The zygote a student's session forks from: this thread's shared one where each child gets a uid of its
        own and the compilation cache is read-only; otherwise a zygote of the session's own."""
        if not self.drop_uid or self.cache_writable:
            return Zygote(self, topics, shared=False)
        mine = getattr(self._mine, "zygote", None)
        if mine is not None and not mine.serves(topics):  # a topic whose probes it did not import
            topics = [*mine.topics, *topics]
            with self._lock:
                self._zygotes.remove(mine)
            mine.close()
            mine = None
        if mine is None:
            mine = self._mine.zygote = Zygote(self, topics, shared=True)
            with self._lock:
                self._zygotes.append(mine)
        return mine

    def inside(self, name: str, host: Path | str) -> str:
        """How the child names a host path: neutral under bubblewrap, the host path itself without it."""
        return INSIDE[name] if self.bwrap else str(host)

    def session(self, sources: dict[str, str], topics: list[str]) -> Session:
        """One student's children (`Session`), forked from this thread's zygote: the student's module texts by
        topic, and the topics whose probes its children run."""
        return Session(self, sources, topics)

    def _bwrap_command(self, job_dir: Path, argv: list[str]) -> list[str]:
        # The private /tmp first: a later tmpfs would hide nothing of ours, but keep the order explicit.
        cmd = [self.bwrap, "--size", str(self.limits.tmpfs), "--perms", "1777", "--tmpfs", "/tmp",
               "--perms", "0755", "--dir", "/runtime"]  # bwrap makes missing parents 0700: the uid must enter
        for system in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"):
            cmd += ["--ro-bind-try", system, system]
        cmd += ["--ro-bind", self.runtime["prefix"], INSIDE["python"],
                "--ro-bind", self.runtime["site"], INSIDE["site"],
                "--ro-bind", str(self._stage), INSIDE["grader"],
                "--ro-bind", str(job_dir), INSIDE["job"],
                *([("--bind" if self.cache_writable else "--ro-bind"), str(self.xla_cache), INSIDE["xla_cache"]]
                  if self.xla_cache else []),
                "--proc", "/proc", "--dev", "/dev", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--remount-ro", "/", "--chdir", "/tmp",
                "--clearenv"]
        env = dict(self._env(), LD_LIBRARY_PATH=f"{INSIDE['python']}/lib")
        for key, value in env.items():
            cmd += ["--setenv", key, value]
        return cmd + argv


    def _env(self) -> dict[str, str]:
        env = _child_env()
        if self.xla_cache:
            env.update(JAX_COMPILATION_CACHE_DIR=self.inside("xla_cache", self.xla_cache),
                       JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0")
        return env


def _child_env() -> dict[str, str]:
    return {"HOME": "/tmp", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "JAX_PLATFORMS": "cpu",
            "TF_CPP_MIN_LOG_LEVEL": "2", "XLA_FLAGS": XLA_FLAGS,
            "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}


def _limit_prefix(limits: Limits) -> list[str]:
    """util-linux prlimit sets the limits on the child it execs (no preexec_fn in a threaded parent)."""
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        return []
    return [prlimit, f"--as={limits.address_space}", f"--fsize={limits.file_size}",
            f"--nofile={limits.open_files}", "--core=0", f"--cpu={limits.cpu_seconds}", "--"]
