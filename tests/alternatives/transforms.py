"""Correct-but-different solutions for topic `transforms`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/transforms.py), so
the checks are shown to test behaviour, not the reference's incidental choices.
"""
import jax
import jax.extend.core
import jax.numpy as jnp
from jax.experimental import checkify


def jacobian_fwd(f, x):
    # linearize once, then push the whole basis through the linear map; transpose instead of out_axes.
    _, push = jax.linearize(f, x)
    return jax.vmap(push)(jnp.eye(x.size, dtype=x.dtype)).T


def jacobian_rev(f, x):
    # The gradient of <u, f(x)> is u @ J: vmap jax.grad over the cotangents; the output size from eval_shape.
    m = jax.eval_shape(f, x).shape[0]
    return jax.vmap(lambda u: jax.grad(lambda z: jnp.vdot(u, f(z)))(x))(jnp.eye(m, dtype=x.dtype))


def jacobian_auto(f, x):
    # The two hand-made modes, chosen by comparing sizes the other way round (ties go to reverse mode).
    m = f(x).shape[0]
    if x.shape[0] < m:
        _, push = jax.linearize(f, x)
        return jax.vmap(push, out_axes=1)(jnp.eye(x.shape[0], dtype=x.dtype))
    y, pull = jax.vjp(f, x)
    return jax.vmap(lambda u: pull(u)[0])(jnp.eye(m, dtype=y.dtype))


def hvp(f, x, v):
    # Reverse over forward: the gradient of the directional derivative along v (H is symmetric).
    return jax.grad(lambda z: jax.jvp(f, (z,), (v,))[1])(x)


def newton_step(f, x):
    # Hessian as reverse over forward, and a Cholesky solve (the Hessian is positive definite).
    hessian = jax.jacrev(jax.jacfwd(f))(x)
    factor = jax.scipy.linalg.cho_factor(hessian)
    return x - jax.scipy.linalg.cho_solve(factor, jax.grad(f)(x))


@jax.custom_jvp
def safe_norm(x):
    # A module-level custom_jvp with the rule registered below, instead of one defined inside the function.
    return jnp.linalg.norm(jnp.ravel(x))


@safe_norm.defjvp
def _safe_norm_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    norm = safe_norm(x)
    inverse = jnp.where(norm == 0, 0.0, 1.0 / jnp.where(norm == 0, 1.0, norm))
    return norm, jnp.vdot(x, t) * inverse


def _clip_forward(x, max_norm):
    return x, None


def _clip_backward(max_norm, _, g):
    scale = jnp.minimum(1.0, max_norm / jnp.maximum(jnp.linalg.norm(jnp.ravel(g)), 1e-30))
    return (g * scale,)


# max_norm as a non-differentiable argument (nondiff_argnums) instead of a closure.
clip_gradient = jax.custom_vjp(lambda x, max_norm: x, nondiff_argnums=(1,))
clip_gradient.defvjp(_clip_forward, _clip_backward)


def count_primitives(f, *args):
    # An explicit stack, and sub-jaxprs found by type among the params (tuples and lists opened by hand).
    counts = {}
    stack = [jax.make_jaxpr(f)(*args)]
    while stack:
        program = stack.pop()
        for eqn in getattr(program, "jaxpr", program).eqns:
            counts[eqn.primitive.name] = counts.get(eqn.primitive.name, 0) + 1
            for value in eqn.params.values():
                for item in value if isinstance(value, (tuple, list)) else [value]:
                    if isinstance(item, (jax.extend.core.Jaxpr, jax.extend.core.ClosedJaxpr)):
                        stack.append(item)
    return counts


def find_error(f, *args):
    # checkify around an already-jitted f, every automatic check, and the message stripped.
    err, _ = checkify.checkify(jax.jit(f), errors=checkify.automatic_checks)(*args)
    message = err.get()
    return None if message is None else message.strip()


def fd_gradient(f, x, eps):
    # A Python loop over the coordinates, in float64 inside the context.
    with jax.enable_x64(True):
        x64 = jnp.array(x, dtype=jnp.float64)
        entries = []
        for i in range(x64.shape[0]):
            step = jnp.zeros_like(x64).at[i].set(eps)
            entries.append((f(x64 + step) - f(x64 - step)) / (2.0 * eps))
        return jnp.stack(entries)
