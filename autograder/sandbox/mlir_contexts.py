"""Faster lowering: JAX's MLIR contexts reused, a few hundred lowerings each, instead of one per lowering.

Every program JAX lowers (each jit, and each operation dispatched eagerly on new shapes) gets a fresh MLIR
context from ``jax._src.interpreters.mlir.make_ir_context``, which loads every dialect again: about 6 ms, more
than tracing and lowering a small program, and paid again on a compilation-cache hit. Probes and checks lower
hundreds of small programs per topic, so the kit's processes (the sandboxed children, the grader, the
self-check, the kit's tests) hand each thread one context for ``USES`` lowerings, then a fresh one. The IR and
the compiled programs are the same (a module's symbols are its own, whatever context holds it); a context
lives for a bounded number of lowerings, so the attributes it keeps (constants included) cannot pile up; and
contexts are never shared between threads (the grader judges students in threads).

It replaces a private function of JAX, so it applies only on the pinned version (requirements.txt; a unit test
keeps PINNED_JAX equal to it); on any other, JAX is left as it is and only speed differs.
"""
from __future__ import annotations

import threading

PINNED_JAX = "0.10.2"
USES = 128


def install() -> bool:
    """Reuse MLIR contexts in this process; True when installed (now or before)."""
    import jax
    from jax._src.interpreters import mlir

    if getattr(mlir.make_ir_context, "reused_contexts", False):
        return True
    if jax.__version__ != PINNED_JAX:
        return False
    fresh, local = mlir.make_ir_context, threading.local()

    def make_ir_context():
        if getattr(local, "left", 0) <= 0:
            local.context, local.left = fresh(), USES
        local.left -= 1
        return local.context

    make_ir_context.reused_contexts, make_ir_context.fresh = True, fresh
    mlir.make_ir_context = make_ir_context
    return True
