"""The sandboxed child: runs probes on one student's files and streams plain data back. Never decides.

Started by autograder/grading/launcher.py as ``python -I -S child.py JOB_JSON DATA_FD``. Before any student
code exists it drops root (a uid of its own, so RLIMIT_NPROC applies), imports the probe modules, and binds
the probe functions, the encoder and the channel's write into local names: student code that later replaces
``autograder.sandbox.probes.<topic>.<probe>`` changes nothing here. That is hygiene, not the guarantee: the
grader treats every line this process writes as untrusted data and computes every expected value itself.

Two modes. ``student``: load each topic's student module (lazily, when its first probe comes; an import
failure costs only that topic), bind the reference's definitions of the tasks graded elsewhere
(``substitutes``), run the probes in order. ``reader``: load no student code at all; run trusted readers over
files a student's probe wrote. One JSON line per event goes to DATA_FD (autograder/sandbox/wire.py).
"""
import json
import os
import resource
import sys


def drop_privileges(uid: int, nproc: int) -> None:
    """Become an unprivileged uid of our own (one per concurrent child): RLIMIT_NPROC counts per uid, so a
    fork bomb exhausts only its own allowance, never another student's."""
    if uid and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def main() -> None:
    job_path, data_fd = sys.argv[1], int(sys.argv[2])
    with open(job_path) as handle:
        job = json.load(handle)
    drop_privileges(job["uid"], job["nproc"])
    if job.get("site"):
        import site
        site.addsitedir(job["site"])
    sys.path.insert(0, job["grader"])  # the staged sandbox side of the kit, read-only

    import importlib
    import warnings

    # A read-only compilation cache: a program not in it compiles as usual; do not warn about not saving it.
    warnings.filterwarnings("ignore", message="Error writing persistent compilation cache")
    from autograder.sandbox import mlir_contexts, probing, wire

    mlir_contexts.install()  # before any student code: lowering is most of what a cached program costs

    dumps, write = wire.dumps, os.write
    run_probe, run_reader, load_module = probing.run_probe, probing.run_reader, probing.load_module
    describe, compile_substitutes = probing.describe_exception, probing.compile_substitutes
    restore = probing.restore_jax_settings
    pack, everything = probing.pack_files, (BaseException,)

    def release_compiled() -> None:
        import gc

        import jax
        jax.clear_caches()
        gc.collect()

    def send(record: dict) -> None:
        data = dumps(record)
        while data:
            data = data[write(data_fd, data):]

    modules = {topic: importlib.import_module(f"autograder.sandbox.probes.{topic}") for topic in job["topics"]}
    table = {item["key"]: getattr(modules[item["topic"]], item["probe"]) for item in job["items"]}
    clean = probing.baseline_settings()  # before any student code
    send({"event": "ready"})

    loaded: dict = {}  # topic -> (impl, substitutes) or None after an import failure
    for item in job["items"]:
        topic, key = item["topic"], item["key"]
        probe = table[key]
        restore(clean)
        if job["mode"] == "reader":
            try:
                bundle = pack(item["files"])
                outcome = {"ok": True, "data": run_reader(probe, item["seed"], tuple(item["args"]), bundle)}
            except everything as exc:  # noqa: BLE001 - a malformed bundle fails its check, nothing more
                outcome = {"ok": False, "error": describe(exc, None)}
            send({"event": "result", "key": key, "outcome": outcome})
            continue
        if topic not in loaded:
            if loaded:  # a new topic: the previous topic's compiled programs are not needed again
                release_compiled()
            spec = job["topics"][topic]
            try:
                impl = load_module(spec["module"], label="student")
                loaded[topic] = (impl, compile_substitutes(impl, spec["substitutes"]))
                send({"event": "imported", "topic": topic})
            except everything as exc:  # noqa: BLE001 - a syntax error, SystemExit at import, anything
                loaded[topic] = None
                send({"event": "import_error", "topic": topic, "error": describe(exc, spec["module"])})
            restore(clean)
        if loaded[topic] is None:
            continue
        impl, substitutes = loaded[topic]
        files = pack(item["files"]) if item.get("files") else None
        outcome = run_probe(probe, impl, item["seed"], tuple(item["args"]), substitutes=substitutes,
                            files=files, catch=everything)
        send({"event": "result", "key": key, "outcome": outcome})
    # For the grader's statistics only (a child could lie here; nothing is graded on it). The kernel's own
    # accounting does not reach the grader: bubblewrap's init, not the grader, reaps this process.
    mine, waited = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    send({"event": "done", "peak_rss_kb": int(mine.ru_maxrss),
          "cpu_ms": int(1000 * (mine.ru_utime + mine.ru_stime + waited.ru_utime + waited.ru_stime))})


if __name__ == "__main__":
    main()
    os._exit(0)  # do not run student atexit handlers or wait for student threads
