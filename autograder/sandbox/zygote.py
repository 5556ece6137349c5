"""The zygote: inside a sandbox, it imports JAX and the probes once, then forks children for student after student.

Started by autograder/grading/launcher.py as ``python -I -S -B zygote.py SETUP_JSON SOCKET_FD``. It runs no
student code and starts no thread: it imports the packages and the probe modules (child.prepare), says
``ready`` on its socket, and then answers the grader's requests, one at a time, each a JSON message on a
SOCK_SEQPACKET socket:

- ``fork``, with the child's two pipe ends and its log passed as SCM_RIGHTS: fork a child (child.become: it
  closes this socket, takes its log as stdout and stderr, a session, namespaces and a private /tmp, drops to
  the request's uid, serves its job) and answer its pid; its descriptors are closed here at once. It refuses while this
  process holds more than one thread (a fork then could copy a lock some other thread held): the kit's own code
  must never start one here.
- ``finish``: wait up to ``grace`` seconds for that child to exit by itself, then kill every process of its uid
  (a reaper forked under that uid signals them all: a daemon the child left, in any session, is one of them),
  reap it and answer its exit status as a return code (negative: the signal).
- ``usage``: the CPU time of this process and of everything it reaped, and the largest peak memory among them.

Every answer is for statistics or for the grader's own bookkeeping of processes; no grade rests on one. The
children run under other uids than this root process: they cannot signal, trace or read it, and a new fork
never inherits an earlier child's pipes (they are closed here before the next request is read).
"""
import array
import gc
import json
import os
import resource
import signal
import socket
import sys
import time

MAX_REQUEST = 1 << 16


def threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0  # unknown: refuse to fork


def kill_all(uid: int, pid: int) -> None:
    """Kill every process of `uid` (all of a child's processes, whatever session it moved them to); without a
    uid of its own (an unprivileged grader), the child's process group."""
    if uid and os.getuid() == 0:
        reaper = os.fork()
        if reaper == 0:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                for _ in range(100):  # kill(-1): every process this uid may signal, never the caller
                    os.kill(-1, signal.SIGKILL)
            except OSError:  # ESRCH: none left
                pass
            finally:
                os._exit(0)
        os.waitpid(reaper, 0)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def finish(pid: int, uid: int, grace: float) -> int:
    """Give child `pid` up to `grace` seconds to exit, kill everything of it, reap it: its return code."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        time.sleep(0.01)
    kill_all(uid, pid)  # before reaping: until then the child's pid (and group id) cannot be anyone else's
    _, raw = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(raw)


def main() -> None:
    setup_path, sock_fd = sys.argv[1], int(sys.argv[2])
    with open(setup_path) as handle:
        setup = json.load(handle)
    # NumPy's OpenBLAS starts a thread pool at import, one thread a core: with one thread it starts none (JAX,
    # which computes everything graded, has its own pools, started in each child when it first runs a program).
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"
    sys.path.insert(0, setup["grader"])
    gc.disable()  # importing makes hundreds of thousands of objects and almost no garbage: collect once, after
    from autograder.sandbox import child, collector

    child.prepare(setup)
    gc.collect()
    gc.freeze()  # what is imported stays shared between the forks instead of being copied by the collector
    collector.tune()  # and the forks, which trace and load hundreds of programs, collect far less often
    gc.enable()
    channel = socket.socket(fileno=sock_fd)

    def answer(message: dict) -> None:
        channel.send(json.dumps(message).encode())

    answer({"event": "ready", "threads": threads()})
    children: dict[int, int] = {}  # pid -> uid, of each child not yet finished
    while True:
        fds = array.array("i")
        try:
            message, ancillary, _, _ = channel.recvmsg(MAX_REQUEST, socket.CMSG_SPACE(3 * fds.itemsize))
        except OSError:
            return
        if not message:
            return  # the grader closed its end
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
        request = json.loads(message)
        if request["op"] == "fork":
            if threads() != 1 or len(fds) != 3:
                for fd in fds:
                    os.close(fd)
                answer({"error": f"cannot fork: {threads()} threads, {len(fds)} descriptors"})
                continue
            request.update(data_fd=fds[0], control_fd=fds[1], log_fd=fds[2])
            pid = os.fork()
            if pid == 0:
                child.become(request, sock_fd)  # never returns
            for fd in fds:
                os.close(fd)
            children[pid] = request["uid"]
            answer({"pid": pid})
        elif request["op"] == "finish":
            pid = request["pid"]
            answer({"status": finish(pid, children.pop(pid), float(request["grace"]))})
        elif request["op"] == "usage":
            mine, reaped = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            answer({"cpu_ms": int(1000 * (mine.ru_utime + mine.ru_stime + reaped.ru_utime + reaped.ru_stime)),
                    "peak_rss_kb": int(max(mine.ru_maxrss, reaped.ru_maxrss))})


if __name__ == "__main__":
    main()
