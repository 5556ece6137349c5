"""The sandboxed child: runs probes on one student file and streams plain data back. Never decides.

Started by autograder/sandbox.py as ``python -I child.py JOB_JSON DATA_FD``. It drops root privileges
before any student code runs (so RLIMIT_NPROC applies), loads the student file by path under a unique
module name, runs each requested probe, and writes one JSON line per probe to DATA_FD as it completes.
Only the sandbox side of the kit is importable here (probing, wire, probes); checks and solutions are not.
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
    sys.path.insert(0, job["grader_path"])  # the staged sandbox side of the kit, read-only
    drop_privileges(job["uid"], job["nproc"])
    channel = os.fdopen(data_fd, "wb", buffering=0)

    import importlib

    from autograder import wire
    from autograder.probing import describe_exception, load_module, run_probe

    def send(record: dict) -> None:
        channel.write(wire.dumps(record))

    probes = importlib.import_module(f"autograder.probes.{job['topic']}")
    try:
        impl = load_module(job["module"], label="student")
    except BaseException as exc:  # noqa: BLE001 - a syntax error, SystemExit at import, anything
        send({"import_error": describe_exception(exc, job["module"])})
        return
    send({"imported": True})
    for key, name, seed, args in job["probes"]:
        try:
            outcome = run_probe(getattr(probes, name), impl, seed, tuple(args))
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt from student code lands here
            outcome = {"ok": False, "error": describe_exception(exc, job["module"])}
        send({"key": key, "outcome": outcome})


if __name__ == "__main__":
    main()
    os._exit(0)  # do not run student atexit handlers or wait for student threads
