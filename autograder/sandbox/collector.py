"""Less time in Python's garbage collector: its thresholds raised in the kit's processes that trace many programs.

Tracing and lowering a program allocate tens of thousands of short-lived Python objects, and JAX's caches keep
some of them: with CPython's default thresholds (700, 10, 10) a lane of probes ran about a thousand collections,
seven of them full ones that walk every object the process made since the zygote froze its imports, about a
tenth of the lane's CPU time in all (measured by hand, 2026-12-03: 0.8-1.2 of 8.5-11 core-seconds for the
reference's probes of every topic, in one process). With ``THRESHOLDS`` the collector runs a few dozen times
and never a full pass, at the same peak memory. Garbage cycles are still freed: young ones by the next pass of
the youngest generation (every 20 000 new objects), older ones by the rarer passes of the older generations,
and in full when a child past its memory mark releases its compiled programs between topics. Nothing is kept
that would be freed otherwise, only a little later.

Set in the zygote (its forks inherit it) and in the grader's processes that compute or judge (runner). A
student's code may change it again in its own child: that costs only that child's CPU time.
"""
from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 20)


def tune() -> None:
    """Raise this process's collection thresholds to ``THRESHOLDS`` (never lower them)."""
    gc.set_threshold(*(max(now, wanted) for now, wanted in zip(gc.get_threshold(), THRESHOLDS)))
