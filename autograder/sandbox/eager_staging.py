"""Fewer programs: a NumPy array or a number becomes a JAX array by a transfer, not by a compiled identity.

On the pinned JAX, ``jnp.asarray(x)`` and ``jnp.array(x)`` of a NumPy array or a Python or NumPy number (no
dtype asked for) bind ``lax.stage_p``, whose eager rule runs a compiled identity program: one more program for
every new shape and dtype, about a sixth of all the programs a student's probes run, each costing milliseconds
even when the compilation cache holds it. ``jax.device_put`` makes the same array (dtype, weak type, device,
uncommitted, values) without a program, from a copy of a NumPy array: on the CPU it may share the buffer it is
handed (``may_alias=False`` does not stop it on this version), and writing into the student's NumPy array
would then change the JAX array. The kit's processes take that path only where the two agree: outside every
mesh context, transfer guard and NaN/Inf check (``jax.debug_nans`` raises on a staged NaN; a guard refuses the
identity program's transfer); anything else goes to JAX's own rule. A unit test compares both on every kind of input, inside and outside
those contexts, and checks that no buffer is shared.

It replaces the eager rule of a JAX primitive, so it applies only on the pinned version (requirements.txt, as
``mlir_contexts``); on any other, JAX is left as it is and only speed differs.
"""
from __future__ import annotations

from .mlir_contexts import PINNED_JAX


def install() -> bool:
    """Stage NumPy values by transfer in this process; True when installed (now or before)."""
    import jax
    from jax._src import config, core
    from jax._src import mesh as mesh_lib
    from jax._src.lax import lax

    if getattr(lax.stage_p.impl, "by_transfer", False):
        return True
    if jax.__version__ != PINNED_JAX:
        return False
    import numpy as np

    jax_rule, device_put, Array, ndarray, array = lax._stage_impl, jax.device_put, core.Array, np.ndarray, np.array
    resources = mesh_lib.thread_resources

    def stage_impl(x):
        if isinstance(x, Array):
            return x
        if (config.transfer_guard_host_to_device.value is None and not config.debug_nans.value
                and not config.debug_infs.value and mesh_lib.get_abstract_mesh().empty
                and mesh_lib.get_concrete_mesh().empty and resources.env.physical_mesh.empty):
            if isinstance(x, ndarray):
                x = array(x, copy=True, subok=False)  # the CPU runtime may share the buffer it is handed
            return device_put(x)
        return jax_rule(x)

    stage_impl.by_transfer, stage_impl.jax_rule = True, jax_rule
    lax.stage_p.def_impl(stage_impl)
    return True
