"""`python -m jaxkit watch [TOPIC]`: re-run a topic's visible tests each time the file is saved.

One process imports JAX, NumPy and pytest once; each run is a fork of it (where the platform has fork), so a
run pays only for collecting and running the tests, and every run starts from fresh modules: your edited file
is always the one tested. The JAX backend is never started in the parent, so forking is safe.
"""
from __future__ import annotations

import os
import runpy
import sys
import time
from pathlib import Path

from . import core

POLL, SETTLE = 0.2, 0.25


def _signature(paths: list[Path]) -> tuple:
    signature = []
    for path in paths:
        try:
            info = path.stat()
            signature.append((info.st_mtime_ns, info.st_size))
        except OSError:
            signature.append(None)
    return tuple(signature)


def _warm_up(topic: str) -> None:
    """Import what every run needs, without starting the JAX backend (forking after that would be unsafe).

    JAX reads its settings from the environment when it is imported, so the settings conftest.py makes for
    pytest (the compilation cache above all: without it each save would compile every program again) are
    made here first, by running conftest.py itself."""
    conftest = core.EXERCISES / "conftest.py"
    try:
        runpy.run_path(str(conftest))
    except Exception:  # noqa: BLE001 - a broken conftest.py: each run's pytest reports it, in its own words
        pass
    import jax  # noqa: F401
    import jax.numpy  # noqa: F401
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    text = core.source_of(topic).read_text(encoding="utf-8", errors="replace")
    if "flax" in text:
        import flax.linen  # noqa: F401
    if "optax" in text:
        import optax  # noqa: F401


def _run_once(topic: str) -> int:
    arguments = [f"tests/test_{topic}.py", "-q", "-p", "no:cacheprovider"]
    if not hasattr(os, "fork"):
        import subprocess
        return subprocess.call([sys.executable, "-m", "pytest", *arguments], cwd=core.EXERCISES)
    pid = os.fork()
    if pid == 0:  # the child: a fresh pytest session on the saved file
        code = 1
        try:
            import pytest
            os.chdir(core.EXERCISES)
            code = int(pytest.main(arguments))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def watch(topic: str | None) -> int:
    if topic is None:
        task = core.first_unfinished(core.statuses())
        topic = task.topic if task else next(iter(core.catalogue()))
    if topic not in core.catalogue():
        print(f"No topic `{topic}`; topics: {', '.join(core.catalogue())}.")
        return 2
    paths = [core.source_of(topic), core.EXERCISES / "tests" / f"test_{topic}.py"]
    print(f"Loading JAX for {topic} ...", flush=True)
    _warm_up(topic)
    runs, last = 0, None
    try:
        while True:
            current = _signature(paths)
            if current != last:
                time.sleep(SETTLE)  # an editor may write in several steps: wait until the file settles
                if _signature(paths) != current:
                    continue
                last = current
                runs += 1
                sys.stdout.write("\033[2J\033[H")
                sys.stdout.flush()
                started = time.monotonic()
                code = _run_once(topic)
                took = time.monotonic() - started
                state = "all visible tests pass" if code == 0 else "some visible tests fail"
                print(f"\n[watch] run {runs} of {topic}.py at {time.strftime('%H:%M:%S')}: {state} ({took:.1f} s). "
                      "Save the file to run again; Ctrl-C to stop.", flush=True)
            time.sleep(POLL)
    except KeyboardInterrupt:
        print("\n[watch] stopped.")
        return 0
