"""One sandboxed child: runs probes on one student's files and streams plain data back. Never decides.

A child is forked by the zygote (autograder/sandbox/zygote.py), which imported everything below (JAX, the
probe modules) once, before any student code existed (one zygote serves the students a grading thread grades
in turn). In the fork, ``become`` closes the zygote's socket, gives the child a session, namespaces and a
private ``/tmp`` of its own, reads its job and drops root (a uid of its own, so RLIMIT_NPROC applies); only then
does ``serve`` load student code. It binds the probe functions, the encoder and the channel's write into local
names first: student code that later replaces ``autograder.sandbox.probes.<topic>.<probe>`` changes nothing
here. That is hygiene, not the guarantee: the grader treats every line this process writes as untrusted data
and computes every expected value itself.

Two modes. ``student``: load each topic's student module (lazily, when its first probe comes; an import
failure costs only that topic), run the probes in order, step by step (a step is one topic's task group,
grading/plan.py). When a step starts, read one line from CONTROL_FD: the reference's definitions of the
other tasks that step may rely on (``substitutes``). The grader writes it only once every earlier item's result
is in, so nothing here ever holds the reference of a task it has yet to grade; the job file holds none.
``reader``: load no student code at all; run trusted readers over files a student's probe wrote. One JSON
line per event goes to DATA_FD (autograder/sandbox/wire.py).
"""
import json
import os
import resource
import sys

RELEASE_BYTES = 768 << 20  # resident memory above which a new topic starts with JAX's caches emptied
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET = 0x00020000, 0x04000000, 0x08000000, 0x40000000
MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV = 0x4000, 1 << 18, 2, 4


def drop_privileges(uid: int, nproc: int) -> None:
    """Become an unprivileged uid of our own (one per concurrent child): RLIMIT_NPROC counts per uid, so a
    fork bomb exhausts only its own allowance, never another student's."""
    if uid and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def prepare(setup: dict) -> None:
    """Import everything a child needs, in the zygote, before any student code exists: the packages, the sandbox
    side of the kit and the probes of every topic the student handed in. Starts no thread and no JAX backend."""
    if setup.get("site"):
        import site
        site.addsitedir(setup["site"])
    sys.path.insert(0, setup["grader"])  # the staged sandbox side of the kit, read-only

    import importlib
    import warnings

    # A read-only compilation cache: a program not in it compiles as usual; do not warn about not saving it.
    warnings.filterwarnings("ignore", message="Error writing persistent compilation cache")
    from autograder.sandbox import eager_staging, mlir_contexts

    mlir_contexts.install()  # before any student code: lowering is most of what a cached program costs
    eager_staging.install()  # and NumPy inputs staged without a program each
    for topic in setup["topics"]:
        importlib.import_module(f"autograder.sandbox.probes.{topic}")


def own_namespaces(size: int) -> None:
    """Namespaces of this child's own, as a fresh sandbox would have them: mounts (with a fresh, empty /tmp),
    System V IPC and POSIX message queues, the network (abstract Unix sockets included) and the host name.
    Nothing an earlier child of any student left there (a planted file, a shared-memory segment, a listening
    socket, a full disk) reaches this one. Needs root inside the sandbox; without bubblewrap there is no
    sandbox to keep private, and the host's /tmp is used as before."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS) != 0 or \
            libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0 or \
            libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777".encode()) != 0:
        raise OSError(ctypes.get_errno(), "the child's own namespaces and /tmp could not be made")


def become(request: dict, zygote_fd: int) -> None:
    """In a fresh fork of the zygote: become the child `request` describes, then serve its job. Never returns."""
    code = 0
    try:
        os.close(zygote_fd)  # student code must never reach the zygote's channel
        for target in (1, 2):  # a log of its own: whatever it prints costs no other child
            os.dup2(request["log_fd"], target)
        os.close(request["log_fd"])
        os.setsid()
        if request["own_namespaces"]:
            own_namespaces(request["tmpfs"])
        os.chdir(request["cwd"])
        with open(request["job"]) as handle:
            job = json.load(handle)
        drop_privileges(request["uid"], request["nproc"])
        serve(job, request["data_fd"], request["control_fd"])
    except BaseException:  # noqa: BLE001 - reported on stderr (its log); the grader sees the exit
        import traceback
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)  # do not run student atexit handlers, wait for student threads or return into the zygote


def serve(job: dict, data_fd: int, control_fd: int) -> None:
    """Run `job`'s items in order, one event per line on `data_fd`; step substitutes arrive on `control_fd`."""
    import importlib

    from autograder.sandbox import probing, wire

    dumps, write, loads = wire.dumps, os.write, json.loads
    control = os.fdopen(control_fd, "rb")  # the grader's lines: one per step, in order
    run_probe, run_reader, load_module = probing.run_probe, probing.run_reader, probing.load_module
    describe, compile_substitutes = probing.describe_exception, probing.compile_substitutes
    pack, everything = probing.pack_files, (BaseException,)

    def release_compiled() -> None:
        """Drop JAX's compiled programs once this process holds more than RELEASE_BYTES: most of a topic's
        programs (single operations on common shapes) serve the next topic too, so they stay while they fit."""
        import gc

        import jax
        try:
            with open("/proc/self/statm") as statm:
                resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            resident = RELEASE_BYTES
        if resident >= RELEASE_BYTES:
            jax.clear_caches()
            gc.collect()

    def send(record: dict) -> None:
        data = dumps(record)
        while data:
            data = data[write(data_fd, data):]

    modules = {topic: importlib.import_module(f"autograder.sandbox.probes.{topic}") for topic in job["topics"]}
    table = {item["key"]: getattr(modules[item["topic"]], item["probe"]) for item in job["items"]}
    clean, clean_python = probing.baseline_settings(), probing.python_settings()  # before any student code

    def restore() -> None:
        """Everything global a student module may have changed for the topics after it: JAX's settings, the
        warning filters, NumPy's floating-point error handling."""
        probing.restore_jax_settings(clean)
        probing.restore_python_settings(clean_python)

    send({"event": "ready"})

    loaded: dict = {}  # topic -> the student's module, or None after an import failure
    current, step, substitutes, unusable = None, None, {}, None
    for item in job["items"]:
        topic, key = item["topic"], item["key"]
        probe = table[key]
        restore()
        if job["mode"] == "reader":
            try:
                bundle = pack(item["files"])
                outcome = {"ok": True, "data": run_reader(probe, item["seed"], tuple(item["args"]), bundle)}
            except everything as exc:  # noqa: BLE001 - a malformed bundle fails its check, nothing more
                outcome = {"ok": False, "error": describe(exc, None)}
            send({"event": "result", "key": key, "outcome": outcome})
            continue
        if current is not None and topic != current:
            release_compiled()
        current = topic
        if topic not in loaded:
            spec = job["topics"][topic]
            try:
                loaded[topic] = load_module(spec["module"], label="student")
                send({"event": "imported", "topic": topic})
            except everything as exc:  # noqa: BLE001 - a syntax error, SystemExit at import, anything
                loaded[topic] = None
                send({"event": "import_error", "topic": topic, "error": describe(exc, spec["module"])})
            restore()
        impl = loaded[topic]
        if impl is None:
            continue
        if item["step"] != step:
            step = item["step"]
            message = loads(control.readline())
            if message["step"] != step:
                raise SystemExit("the grader's control line is for another step")
            try:  # the reference's decorators run in the student's namespace
                substitutes, unusable = compile_substitutes(impl, message["substitutes"]), None
            except everything as exc:  # noqa: BLE001 - e.g. the student rebound a name the reference uses
                substitutes, unusable = {}, {"ok": False, "error": describe(exc, job["topics"][topic]["module"])}
            restore()
        if unusable is not None:
            send({"event": "result", "key": key, "outcome": unusable})
            continue
        files = pack(item["files"]) if item.get("files") else None
        outcome = run_probe(probe, impl, item["seed"], tuple(item["args"]), substitutes=substitutes,
                            files=files, catch=everything)
        send({"event": "result", "key": key, "outcome": outcome})
    # For the grader's statistics only (a child could lie here; nothing is graded on it; the grader counts CPU
    # time from the zygote, which reaps this process).
    mine, waited = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    send({"event": "done", "peak_rss_kb": int(mine.ru_maxrss),
          "cpu_ms": int(1000 * (mine.ru_utime + mine.ru_stime + waited.ru_utime + waited.ru_stime))})
