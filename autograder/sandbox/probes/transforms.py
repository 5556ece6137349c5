"""Probes for topic `transforms`. The verdicts live in autograder/grading/checks/test_transforms.py.

The student's functions receive functions, so every probe draws those too: random smooth functions with random
float32 parameters and random input and output sizes, with the edge cases the docstrings name (one input, one
output, a zero vector, a zero cotangent ...) in every run. Each probe returns ``result(out=..., report=...,
given=...)``: ``out`` holds only what the student's functions returned (possibly through a JAX transform of
them); ``report`` holds what only code beside them can measure (forbidden calls, program size, flops, the
largest array in a traced program, the 64-bit flag after a call).
"""
from __future__ import annotations

import jax
import jax.extend.core as jex
import jax.numpy as jnp
import numpy as np
from jax import lax

from autograder.sandbox.probing import ForbiddenCall, count_equations, forbidden, primitive_names, result, type_name

# Reverse-mode entry points may not be used to build a Jacobian column by column, nor forward-mode ones row by row.
JACOBIAN_FUNCTIONS = ("jacfwd", "jacrev", "jacobian", "hessian")
NOT_FORWARD = JACOBIAN_FUNCTIONS + ("vjp", "grad", "value_and_grad", "linear_transpose")
NOT_REVERSE = JACOBIAN_FUNCTIONS + ("jvp", "linearize")


def _normal(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def _uniform(rng, low, high, *shape):
    return rng.uniform(low, high, size=shape).astype(np.float32)


# ------------------------------------------------------------------------------------------ random functions
def vector_function(rng, n, m, hidden=None):
    """A random smooth f from R^n to R^m: a tanh layer, a sine term and a product of two inputs."""
    hidden = int(rng.integers(4, 9)) if hidden is None else hidden
    w1, b1 = _normal(rng, hidden, n, scale=1.2 / np.sqrt(n)), _normal(rng, hidden, scale=0.5)
    w2, w3 = _normal(rng, m, hidden, scale=1.5 / np.sqrt(hidden)), _normal(rng, m, n, scale=1.0 / np.sqrt(n))
    b2, p = _normal(rng, m), _normal(rng, m, scale=0.7)

    def f(x):
        return w2 @ jnp.tanh(w1 @ x + b1) + w3 @ jnp.sin(x) + p * (x[0] * x[-1]) + b2

    return f


def scalar_function(rng, n):
    """A random smooth f from R^n to R: log-cosh of three projections, a squared projection and sines.

    Its own arrays hold at most 3 * n entries, and its third derivatives are far from zero."""
    projections, shifts = _normal(rng, 3, n, scale=1.5 / np.sqrt(n)), _normal(rng, 3, scale=0.5)
    weights, u = _uniform(rng, 0.5, 2.0, 3), _normal(rng, n, scale=1.0 / np.sqrt(n))
    scale, w = np.float32(rng.uniform(0.5, 1.5)), _normal(rng, n)

    def f(x):
        return (jnp.sum(weights * jnp.log(jnp.cosh(projections @ x + shifts))) + 0.5 * scale * jnp.dot(u, x) ** 2
                + jnp.sum(w * jnp.sin(x)))

    return f


def convex_function(rng, n):
    """A random smooth f from R^n to R with a positive definite Hessian whose off-diagonal part is large."""
    centre, curvature = _normal(rng, n), _uniform(rng, 0.5, 2.0, n)
    projections, shifts = _normal(rng, n + 1, n, scale=1.2 / np.sqrt(n)), _normal(rng, n + 1, scale=0.3)
    weights = _uniform(rng, 1.0, 3.0, n + 1)

    def f(x):
        return (0.5 * jnp.sum(curvature * (x - centre) ** 2)
                + jnp.sum(weights * jnp.log(jnp.cosh(projections @ x + shifts))))

    return f


# ------------------------------------------------------------------------------------------ Jacobians
def _jacobian_cases(rng):
    """(f, x) for a tall, a wide and a square f, one input, one output, and one of each: every run."""
    sizes = {"tall": (int(rng.integers(2, 4)), int(rng.integers(16, 25))),
             "wide": (int(rng.integers(16, 25)), int(rng.integers(2, 4))),
             "square": (int(rng.integers(3, 7)),) * 2,
             "one_input": (1, int(rng.integers(2, 6))),
             "one_output": (int(rng.integers(2, 6)), 1),
             "one_to_one": (1, 1)}
    return {name: (vector_function(rng, n, m), jnp.asarray(_normal(rng, n))) for name, (n, m) in sizes.items()}, sizes


def _jacobian_outputs(jacobian, cases):
    """Every case, all in one jitted program (one compilation)."""
    functions = {name: f for name, (f, _) in cases.items()}
    inputs = {name: x for name, (_, x) in cases.items()}
    return jax.jit(lambda xs: {name: jacobian(functions[name], x) for name, x in xs.items()})(inputs)


def _under_rule(impl, names, compute):
    """compute() with jax.<names> forbidden; when one was called, compute again without the rule so the values
    can still be judged. Returns (value, sorted forbidden calls)."""
    with forbidden(impl, jax, names, "jax") as calls:
        try:
            value = compute()
        except ForbiddenCall:
            value = None
    called = sorted(set(calls))
    if called:
        value = compute()
    return value, called


def _program_sizes(jacobian, rng, along):
    """Equations in the traced program of jacobian(f, x) for n (or m) = 3 and 12: a Python loop makes it grow."""
    hidden = int(rng.integers(3, 6))
    counts = []
    for size in (3, 12):
        n, m = (size, 2) if along == "n" else (2, size)
        f = vector_function(rng, n, m, hidden)
        counts.append(count_equations(jax.make_jaxpr(lambda x, f=f: jacobian(f, x))(jnp.zeros(n, jnp.float32))))
    return counts


def jacobian_fwd_values(impl, rng):
    """jacobian_fwd builds the Jacobian from JVPs batched with vmap (tall, wide, square, n = 1, m = 1, n = m = 1;
    under jax.jit), without reverse mode or jax's Jacobian functions"""
    cases, sizes = _jacobian_cases(rng)
    out, called = _under_rule(impl, NOT_FORWARD, lambda: _jacobian_outputs(impl.jacobian_fwd, cases))
    return result(out=out, report={"forbidden": called, "program_sizes": _program_sizes(impl.jacobian_fwd, rng, "n")},
                  given={"sizes": sizes})


def jacobian_rev_values(impl, rng):
    """jacobian_rev builds the Jacobian from VJPs batched with vmap (tall, wide, square, n = 1, m = 1, n = m = 1;
    under jax.jit), without forward mode or jax's Jacobian functions"""
    cases, sizes = _jacobian_cases(rng)
    out, called = _under_rule(impl, NOT_REVERSE, lambda: _jacobian_outputs(impl.jacobian_rev, cases))
    return result(out=out, report={"forbidden": called, "program_sizes": _program_sizes(impl.jacobian_rev, rng, "m")},
                  given={"sizes": sizes})


def _flops(function, x):
    return float(jax.jit(function).lower(x).cost_analysis()["flops"])


def jacobian_auto_values_and_cost(impl, rng):
    """jacobian_auto gives the Jacobian (tall, wide, square, n = 1, m = 1, n = m = 1; under jax.jit) at the cost
    of the cheaper mode"""
    cases, sizes = _jacobian_cases(rng)
    out = _jacobian_outputs(impl.jacobian_auto, cases)
    flops, forward, reverse = {}, {}, {}
    for name in ("tall", "wide"):
        f, x = cases[name]
        flops[name] = _flops(lambda x, f=f: impl.jacobian_auto(f, x), x)
        forward[name], reverse[name] = _flops(jax.jacfwd(f), x), _flops(jax.jacrev(f), x)
    return result(out=out, report={"flops": flops},
                  given={"sizes": sizes, "forward_flops": forward, "reverse_flops": reverse})


# ------------------------------------------------------------------------------------------ hvp
def largest_array(jaxpr) -> int:
    """The most entries of any array an equation of the (closed) jaxpr produces, sub-jaxprs included."""
    largest = 0
    for eqn in getattr(jaxpr, "jaxpr", jaxpr).eqns:
        for var in eqn.outvars:
            largest = max(largest, int(np.prod(getattr(var.aval, "shape", ()), dtype=np.int64)))
        for sub in jex.jaxprs_in_params(eqn.params):
            largest = max(largest, largest_array(sub))
    return largest


def hvp_values(impl, rng):
    """hvp gives H(x) @ v (n = 1, a small n, a large n, vmapped over several v; under jax.jit) without building the
    n x n Hessian"""
    small, large = int(rng.integers(3, 7)), int(rng.integers(20, 29))
    functions, points = {}, {}
    for name, n in (("one", 1), ("small", small), ("large", large), ("vmap_over_v", small)):
        functions[name] = scalar_function(rng, n)
        points[name] = (jnp.asarray(_normal(rng, n)), jnp.asarray(_normal(rng, n, scale=3.0)))
    points["vmap_over_v"] = (points["vmap_over_v"][0], jnp.asarray(_normal(rng, 3, small, scale=3.0)))

    def products(points):
        out = {name: impl.hvp(functions[name], x, v) for name, (x, v) in points.items() if name != "vmap_over_v"}
        x, vs = points["vmap_over_v"]
        out["vmap_over_v"] = jax.vmap(lambda v: impl.hvp(functions["vmap_over_v"], x, v))(vs)
        return out

    out = jax.jit(products)(points)
    largest = largest_array(jax.make_jaxpr(lambda x, v: impl.hvp(functions["large"], x, v))(*points["large"]))
    return result(out=out, report={"largest_array": largest}, given={"small": small, "large": large})


# ------------------------------------------------------------------------------------------ newton_step
def newton_values(impl, rng):
    """newton_step takes Newton steps on random convex functions (n = 1 too, three steps in a row; under
    jax.jit)"""
    sizes = {"one": 1, "two": 2, "several": int(rng.integers(3, 7))}
    functions = {name: convex_function(rng, n) for name, n in sizes.items()}
    functions["three_steps"] = convex_function(rng, sizes["several"])
    starts = {name: jnp.asarray(_normal(rng, sizes.get(name, sizes["several"]), scale=0.7)) for name in functions}

    def steps(starts):
        out = {name: impl.newton_step(functions[name], x) for name, x in starts.items() if name != "three_steps"}

        def step(x, _):
            x = impl.newton_step(functions["three_steps"], x)
            return x, x

        out["three_steps"] = lax.scan(step, starts["three_steps"], length=3)[1]
        return out

    return result(out=jax.jit(steps)(starts), given={"sizes": sizes})


# ------------------------------------------------------------------------------------------ safe_norm
def safe_norm_values_and_derivatives(impl, rng):
    """safe_norm gives the norm with a finite derivative at 0 (jax.jvp, jax.grad, jax.jit, jax.vmap; vectors,
    matrices and zeros) through a custom_jvp rule"""
    n = int(rng.integers(2, 7))
    shape = (int(rng.integers(2, 4)), int(rng.integers(2, 5)))
    inputs = {"vector": _normal(rng, n, scale=2.0), "matrix": _normal(rng, *shape),
              "zero_vector": np.zeros(n, np.float32), "zero_matrix": np.zeros(shape, np.float32)}
    inputs = {name: (jnp.asarray(x), jnp.asarray(_normal(rng, *x.shape))) for name, x in inputs.items()}
    rows = _normal(rng, 5, n)
    rows[int(rng.integers(5))] = 0.0  # one zero row in the batch

    def everything(inputs, rows):
        out = {name: {"value": impl.safe_norm(x), "grad": jax.grad(impl.safe_norm)(x),
                      "jvp": jax.jvp(impl.safe_norm, (x,), (tangent,))[1]} for name, (x, tangent) in inputs.items()}
        out["vmap"] = jax.vmap(impl.safe_norm)(rows)
        out["vmap_grad"] = jax.vmap(jax.grad(impl.safe_norm))(rows)
        return out

    out = jax.jit(everything)(inputs, jnp.asarray(rows))
    out["eager_zero_grad"] = jax.grad(impl.safe_norm)(inputs["zero_vector"][0])
    prims = primitive_names(jax.make_jaxpr(impl.safe_norm)(jnp.ones(n, jnp.float32)))
    return result(out=out, report={"custom_jvp": "custom_jvp_call" in prims}, given={"n": n, "shape": list(shape)})


# ------------------------------------------------------------------------------------------ clip_gradient
def clip_gradient_values_and_gradients(impl, rng):
    """clip_gradient passes values through unchanged and clips the norm of the gradient in the backward pass
    (norms above and below max_norm, a zero gradient, a chain rule, jax.jit, per example under jax.vmap)"""
    n = int(rng.integers(3, 8))
    shape = (int(rng.integers(2, 4)), int(rng.integers(2, 5)))
    limits = [float(np.round(rng.uniform(0.5, 3.0), 3)) for _ in range(3)]

    def weights(norm, *dims):
        w = rng.normal(size=dims)
        return jnp.asarray((w * norm / np.linalg.norm(w)).astype(np.float32))

    x, matrix = jnp.asarray(_normal(rng, n)), jnp.asarray(_normal(rng, *shape))
    w = {"above": weights(limits[0] * rng.uniform(2.0, 6.0), n), "below": weights(limits[0] * rng.uniform(0.2, 0.7), n),
         "zero": jnp.zeros(n, jnp.float32), "matrix": weights(limits[1] * rng.uniform(2.0, 6.0), *shape),
         "chain": weights(limits[2] * rng.uniform(2.0, 6.0), n),
         "batch": jnp.stack([weights(limits[2] * k, n) for k in (0.3, 0.0, 2.5, 5.0)])}
    xs = jnp.asarray(_normal(rng, 4, n))

    def grad_of_weighted_sum(v, w, limit):
        return jax.grad(lambda v: jnp.sum(w * impl.clip_gradient(v, limit)))(v)

    def everything(x, matrix, xs, w):
        return {"value_jit": impl.clip_gradient(matrix, limits[1]),
                "grad_above": grad_of_weighted_sum(x, w["above"], limits[0]),
                "grad_below": grad_of_weighted_sum(x, w["below"], limits[0]),
                "grad_zero": grad_of_weighted_sum(x, w["zero"], limits[0]),
                "grad_matrix": grad_of_weighted_sum(matrix, w["matrix"], limits[1]),
                "grad_chain": jax.grad(lambda v: jnp.sum(w["chain"] * impl.clip_gradient(jnp.sin(v), limits[2]))
                                       + jnp.sum(v ** 2))(x),
                "vmap_grad": jax.vmap(lambda v, u: grad_of_weighted_sum(v, u, limits[2]))(xs, w["batch"])}

    out = jax.jit(everything)(x, matrix, xs, w)
    out["value"] = impl.clip_gradient(x, limits[0])
    out["eager_grad_zero"] = grad_of_weighted_sum(x, w["zero"], limits[2])
    return result(out=out, given={"n": n, "shape": list(shape), "limits": limits})


# ------------------------------------------------------------------------------------------ count_primitives
_UNARY = (jnp.sin, jnp.cos, jnp.exp, jnp.tanh, jnp.negative, jnp.abs)


def _chain(rng, low=1, high=4):
    ops = [int(i) for i in rng.integers(len(_UNARY), size=int(rng.integers(low, high + 1)))]

    def chain(x):
        for i in ops:
            x = _UNARY[i](x)
        return x

    return chain


def _programs(rng):
    """Programs with every kind of nesting in every run: jnp.where (a nested jit), a cond (branches in a tuple), a
    fori_loop (a scan), a while loop whose body holds a cond, one jitted function called twice, and a gradient."""
    a, b, c, d, e, g, h, k = (_chain(rng) for _ in range(8))
    trips, limit = int(rng.integers(2, 6)), float(rng.integers(3, 9))

    def branchy(x):
        y = jnp.where(x > 0, a(x), b(x))
        return lax.cond(jnp.sum(y) > 0, c, d, y)

    def loops(x):
        y = lax.fori_loop(0, trips, lambda i, v: e(v), x)

        def body(carry):
            count, v = carry
            return count + 1.0, lax.cond(count > 1.0, g, h, v)

        return lax.while_loop(lambda carry: carry[0] < limit, body, (0.0, y))[1]

    inner = jax.jit(k)

    def reused(x):
        return inner(x) * inner(2.0 * x)

    derivative = jax.grad(lambda x: jnp.sum(a(x) * c(x)))
    return {"branchy": branchy, "loops": loops, "reused_jit": reused, "gradient": derivative}


def count_primitives_values(impl, rng):
    """count_primitives counts every equation, at every depth (nested jit, cond branches, while and scan bodies, a
    jitted function used twice, a gradient's program)"""
    n = int(rng.integers(2, 6))
    x = jnp.asarray(_normal(rng, n))
    out = {name: impl.count_primitives(f, x) for name, f in _programs(rng).items()}
    out["two_arguments"] = impl.count_primitives(lambda u, v: jnp.dot(u, v) + jnp.sum(u), x, x)
    return result(out=out, given={"n": n})


# ------------------------------------------------------------------------------------------ find_error
def _traced(f, seen):
    """f, noting whether each call received a tracer (jit traces it) or concrete arrays (it ran eagerly)."""
    def wrapped(*args):
        seen.append(isinstance(args[0], jax.core.Tracer))
        return f(*args)
    return wrapped


def find_error_messages(impl, rng):
    """find_error reports checkify's first error (an index past either end, a NaN, a division by zero, the first
    of two) or None, running f under jax.jit"""
    n, extra = int(rng.integers(3, 9)), int(rng.integers(1, 6))
    shift = float(np.round(rng.uniform(0.8, 1.8), 3))
    table = _uniform(rng, 0.5, 2.0, n)
    table[int(rng.integers(n))] = rng.uniform(0.3, shift - 0.2)  # at least one entry of table - shift is negative
    table = jnp.asarray(table)

    def scaled_lookup(table, i):
        return jnp.log(table) * table[i]

    def root(table, shift):
        return jnp.sqrt(table - shift)

    def ratio(a, b):
        return a // b

    def two_faults(table, i):
        return jnp.log(table - 10.0) + table[i]

    ints = rng.integers(1, 9, size=n).astype(np.int32)
    zeros = ints.copy()
    zeros[int(rng.integers(n))] = 0
    cases = {"clean": (scaled_lookup, (table, jnp.int32(rng.integers(n)))),
             "past_the_end": (scaled_lookup, (table, jnp.int32(n + extra))),
             "before_the_start": (scaled_lookup, (table, jnp.int32(-n - extra))),
             "nan": (root, (table, jnp.float32(shift))),
             "division": (ratio, (jnp.asarray(ints), jnp.asarray(zeros))),
             "first_of_two": (two_faults, (table, jnp.int32(n + extra)))}
    seen: list[bool] = []
    out = {name: impl.find_error(_traced(f, seen), *args) for name, (f, args) in cases.items()}
    return result(out=out, report={"f_calls": len(seen), "eager_calls": seen.count(False)},
                  given={"n": n, "extra": extra})


# ------------------------------------------------------------------------------------------ fd_gradient
def fd_gradient_values(impl, rng):
    """fd_gradient gives the central-difference gradient in float64 (n = 1 too, several steps eps) and leaves the
    global 64-bit flag alone"""
    out, types, flags, steps = {}, {}, [], {}
    n = int(rng.integers(3, 7))
    before = jax.config.jax_enable_x64
    for name, size in (("one", 1), ("several", n), ("another", n)):
        f, x = scalar_function(rng, size), jnp.asarray(_normal(rng, size))
        eps = float(10 ** rng.uniform(-4, -3))
        try:
            out[name] = impl.fd_gradient(f, x, eps)
            flags.append(bool(jax.config.jax_enable_x64))
        finally:  # a global flag the student left on must not reach the other probes of this process
            if jax.config.jax_enable_x64 != before:
                jax.config.update("jax_enable_x64", before)
        types[name], steps[name] = type_name(out[name]), eps
    return result(out=out, report={"x64_after": flags, "types": types}, given={"eps": steps, "n": n})
