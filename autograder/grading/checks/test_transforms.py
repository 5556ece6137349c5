"""Hidden checks for topic `transforms`.

Each check compares what the student's functions returned (``got.out``) with what the reference returned on
the same fresh random functions and inputs, computed in the grader's own process (``ref``). Properties measured
beside the student's code (``got.report``) only ever take points away. Docstrings list the mistakes each check
rejects; "in-process rule" marks a check that an honest student is told about but that code undoing the rule
could dodge.
"""
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match
from autograder.sandbox.probes import transforms as probes

# float32 derivatives of random smooth functions: rounding differs between correct orders of operations
# (forward or reverse mode, one vmap or another) by about 1e-6 relative.
RTOL, ATOL = 1e-4, 1e-5


def _sizes(given):
    return ", ".join(f"{name} (n={n}, m={m})" for name, (n, m) in given["sizes"].items())


def _jacobian_call(name, given):
    return f"{name}(f, x) under jax.jit for random smooth f: {_sizes(given)}"


def _same_size(sizes):
    return type(sizes) is list and len(sizes) == 2 and all(type(s) is int for s in sizes) and sizes[1] <= sizes[0]


def _sizes_text(sizes, letter):
    return f"{sizes[0]} equations for {letter} = 3, {sizes[1]} for {letter} = 12" if _is_pair(sizes) else "sizes unknown"


def _is_pair(sizes):
    return type(sizes) is list and len(sizes) == 2


def _transposed(got, ref):
    """Whether some returned Jacobian is the transpose of the expected one (a diagnosis from the outputs)."""
    if type(got) is not dict:
        return False
    for name, expected in ref.items():
        value = got.get(name)
        if (type(value) is np.ndarray and value.ndim == 2 and expected.ndim == 2 and expected.shape[0] > 1
                and expected.shape[1] > 1 and value.shape == expected.T.shape
                and np.allclose(value, expected.T, rtol=RTOL, atol=ATOL)
                and not np.allclose(value, expected, rtol=RTOL, atol=ATOL)):
            return True
    return False


# ------------------------------------------------------------------------------------------ jacobian_fwd
@pytest.mark.task("transforms.jacobian_fwd")
def test_jacobian_fwd_from_batched_jvps(run):
    """Rejects: jax.jacfwd or jax.jacrev (or jax.jacobian, jax.hessian) instead of JVPs, reverse mode (jax.vjp,
    jax.grad) (in-process rule); a Python loop over the basis (the program grows with n); the transposed Jacobian
    (vmap stacks the columns as rows); finite differences; a single JVP along a vector of ones; failing for n = 1 or
    m = 1."""
    got, ref = run(probes.jacobian_fwd_values)
    called = got.report["forbidden"]
    expect(called == [], f"jacobian_fwd called {', '.join(called)}: this task builds the Jacobian itself, from "
                         "forward-mode products (jax.jvp or jax.linearize) batched with jax.vmap.")
    expect(_same_size(got.report["program_sizes"]),
           f"The traced program of jacobian_fwd grows with n: {_sizes_text(got.report['program_sizes'], 'n')}. The "
           "n JVPs must be one batched call (jax.vmap over the rows of the identity), not one copy per basis vector.")
    expect(not _transposed(got.out, ref.out),
           "jacobian_fwd returned the transpose of the Jacobian (n x m instead of m x n): jax.vmap stacks the JVPs "
           "along axis 0, one row per tangent, while each JVP is a column. Use out_axes=1 or transpose.")
    expect_match(got.out, ref.out, rtol=RTOL, atol=ATOL, exact_dtype=True, call=_jacobian_call("jacobian_fwd", ref.given),
                 hint="column j is the tangent part of jax.jvp(f, (x,), (e_j,)); the result is float32 of shape (m, n).")


# ------------------------------------------------------------------------------------------ jacobian_rev
@pytest.mark.task("transforms.jacobian_rev")
def test_jacobian_rev_from_batched_vjps(run):
    """Rejects: jax.jacrev or jax.jacfwd (or jax.jacobian, jax.hessian) instead of VJPs, forward mode (jax.jvp,
    jax.linearize) (in-process rule); a Python loop over the outputs (the program grows with m); returning the
    pullback's tuple instead of its entry; the transposed Jacobian; the gradient of the summed outputs (a cotangent
    of ones); failing for n = 1 or m = 1."""
    got, ref = run(probes.jacobian_rev_values)
    called = got.report["forbidden"]
    expect(called == [], f"jacobian_rev called {', '.join(called)}: this task builds the Jacobian itself, from "
                         "reverse-mode products (jax.vjp, or jax.grad of a weighted output) batched with jax.vmap.")
    expect(_same_size(got.report["program_sizes"]),
           f"The traced program of jacobian_rev grows with m: {_sizes_text(got.report['program_sizes'], 'm')}. The "
           "m VJPs must be one batched call (jax.vmap over the rows of the identity), not one copy per output.")
    expect(not _transposed(got.out, ref.out),
           "jacobian_rev returned the transpose of the Jacobian (n x m instead of m x n): each VJP with a basis "
           "vector of the output space is a row.")
    expect_match(got.out, ref.out, rtol=RTOL, atol=ATOL, exact_dtype=True, call=_jacobian_call("jacobian_rev", ref.given),
                 hint="row i is pull_back(e_i)[0] where jax.vjp(f, x) returns (y, pull_back); the result is an array "
                      "of shape (m, n), not the tuple the pullback returns.")


# ------------------------------------------------------------------------------------------ jacobian_auto
@pytest.mark.task("transforms.jacobian_auto")
def test_jacobian_auto_takes_the_cheaper_mode(run):
    """Rejects: always forward mode (costly on the wide f), always reverse mode (costly on the tall f), the rule
    the wrong way round, computing both Jacobians, wrong values or shapes (the transposed Jacobian), failing for
    n = 1 or m = 1."""
    got, ref = run(probes.jacobian_auto_values_and_cost)
    expect_match(got.out, ref.out, rtol=RTOL, atol=ATOL, exact_dtype=True, call=_jacobian_call("jacobian_auto", ref.given),
                 hint="the result is the float32 Jacobian of shape (m, n), whichever mode computes it.")
    for name, cheaper, costly in (("tall", "forward", "reverse"), ("wide", "reverse", "forward")):
        n, m = ref.given["sizes"][name]
        forward, reverse = ref.given["forward_flops"][name], ref.given["reverse_flops"][name]
        spent = got.report["flops"][name]
        limit = float(np.sqrt(forward * reverse))  # the geometric mean: far from both modes
        expect(type(spent) is float and spent <= limit,
               f"On the {name} f (n={n} inputs, m={m} outputs) jacobian_auto costs {spent} flops under jax.jit; "
               f"{cheaper} mode costs about {min(forward, reverse):.0f} and {costly} mode {max(forward, reverse):.0f}. "
               f"With {'more outputs than inputs' if name == 'tall' else 'more inputs than outputs'} use {cheaper} mode: "
               "one pass per input for forward mode, one per output for reverse mode.")


# ------------------------------------------------------------------------------------------ hvp
@pytest.mark.task("transforms.hvp")
def test_hvp_without_the_hessian(run):
    """Rejects: jax.hessian(f)(x) @ v or jax.jacfwd(jax.grad(f))(x) @ v (an n x n array in the program), the
    gradient times v elementwise, the directional derivative of f (a scalar), the tuple a VJP of the gradient
    returns, failing for n = 1 or under vmap over v."""
    got, ref = run(probes.hvp_values)
    small, large = ref.given["small"], ref.given["large"]
    largest = got.report["largest_array"]
    expect(type(largest) is int and largest < large * large,
           f"The traced program of hvp for n = {large} holds an array of {largest} entries, as many as the "
           f"{large} x {large} Hessian or more: H @ v must be computed without building H (differentiate the "
           "gradient along v instead).")
    expect_match(got.out, ref.out, rtol=RTOL, atol=1e-4, exact_dtype=True,
                 call=f"hvp(f, x, v) under jax.jit for random smooth scalar f with n = 1, {small} and {large}, and "
                      f"jax.vmap of it over three v with n = {small}",
                 hint="H @ v is the derivative of the gradient of f along v: a JVP of jax.grad(f).")


# ------------------------------------------------------------------------------------------ newton_step
@pytest.mark.task("transforms.newton_step")
def test_newton_step_values(run):
    """Rejects: x + H^-1 g (the wrong sign), a gradient step x - g, the diagonal of the Hessian only, H @ g
    instead of H^-1 g, failing for n = 1 or under jax.jit."""
    got, ref = run(probes.newton_values)
    sizes = ref.given["sizes"]
    expect_match(got.out, ref.out, rtol=RTOL, atol=1e-4, exact_dtype=True,
                 call=f"newton_step(f, x) on random convex f with n = {sizes['one']}, {sizes['two']} and "
                      f"{sizes['several']}, and three jitted steps in a row",
                 hint="the new x is x minus the solution d of H(x) d = g(x), with the gradient g and the full Hessian H "
                      "of f at x.")


# ------------------------------------------------------------------------------------------ safe_norm
@pytest.mark.task("transforms.safe_norm")
def test_safe_norm_custom_jvp(run):
    """Rejects: jnp.linalg.norm or sqrt(sum(x ** 2)) without a rule (a NaN gradient at 0), a rule that divides by
    the norm unguarded (NaN at 0), the double-where trick without jax.custom_jvp (in-process rule: no
    custom_jvp_call), a rule returning the gradient instead of a tangent (a shape error), a rule ignoring the
    tangent, the squared norm."""
    got, ref = run(probes.safe_norm_values_and_derivatives)
    out = got.out if type(got.out) is dict else {}
    for name in ("zero_vector", "zero_matrix"):
        entry = out.get(name)
        grad = entry.get("grad") if type(entry) is dict else None
        if type(grad) is np.ndarray and grad.dtype.kind == "f":
            expect(bool(np.isfinite(grad).all()),
                   f"jax.grad(safe_norm) at a {name.replace('_', ' ')} is not finite. Give the norm a JVP rule "
                   "(jax.custom_jvp) whose tangent is 0 at x == 0, and let nothing divide by the norm there, not even "
                   "in the branch of a jnp.where that is not picked (reverse mode runs the rule's tangent part "
                   "backwards through both).")
    expect(got.report["custom_jvp"] is True,
           "The traced program of safe_norm holds no custom_jvp_call: define its derivative with jax.custom_jvp "
           "(this task is about writing the rule, not about avoiding it).")
    n, shape = ref.given["n"], tuple(ref.given["shape"])
    expect_match(got.out, ref.out, rtol=RTOL, atol=ATOL, exact_dtype=True,
                 call=f"safe_norm, jax.jit(safe_norm), jax.grad(safe_norm) and jax.jvp(safe_norm) with a random tangent, "
                      f"on a random vector of length {n}, a random {shape} matrix and zeros of both shapes, and "
                      "jax.vmap of safe_norm and of its gradient over rows (one row of zeros)",
                 hint="the value is sqrt(sum(x ** 2)); the JVP along t is sum(x * t) / norm where the norm is positive, "
                      "0 where it is 0.")


# ------------------------------------------------------------------------------------------ clip_gradient
@pytest.mark.task("transforms.clip_gradient")
def test_clip_gradient_custom_vjp(run):
    """Rejects: clipping the values instead of the gradient, clipping each entry of the gradient to [-max_norm,
    max_norm], a NaN gradient for a zero cotangent (g / norm(g) unguarded), always rescaling to max_norm (growing
    small gradients), ignoring max_norm, one norm over the whole batch under vmap."""
    got, ref = run(probes.clip_gradient_values_and_gradients)
    out = got.out if type(got.out) is dict else {}
    zero = out.get("grad_zero")
    if type(zero) is np.ndarray and zero.dtype.kind == "f":
        expect(bool(np.isfinite(zero).all()),
               "The gradient through clip_gradient is not finite when the incoming cotangent g is zero. norm(g) is 0 "
               "there: nothing may divide by it. A zero cotangent must come back as zeros.")
    n, shape, limits = ref.given["n"], tuple(ref.given["shape"]), ref.given["limits"]
    expect_match(got.out, ref.out, rtol=RTOL, atol=ATOL, exact_dtype=True,
                 call=f"clip_gradient(x, max_norm) with max_norm in {limits} on a random vector of length {n} and a "
                      f"{shape} matrix: its values (eager and jitted) and jax.grad of sum(w * clip_gradient(x, "
                      "max_norm)) for weights w of norm above and below max_norm and zero, under jax.jit, through a "
                      "chain rule, and per example under jax.vmap",
                 hint="the values are x itself; the backward pass multiplies the cotangent g by "
                      "min(1, max_norm / norm(g)), and a zero g stays zero.")


# ------------------------------------------------------------------------------------------ count_primitives
@pytest.mark.task("transforms.count_primitives")
def test_count_primitives_at_every_depth(run):
    """Rejects: counting the top-level equations only, recursing into a `jaxpr` param only (missing cond branches
    and while loops), leaving out the equations that hold sub-jaxprs, counting a sub-jaxpr used twice once,
    counts that are not Python ints."""
    got, ref = run(probes.count_primitives_values)
    expect_match(got.out, ref.out,
                 call=f"count_primitives(f, x) with x of length {ref.given['n']} for random programs with jnp.where and "
                      "lax.cond (`branchy`), a fori_loop and a while_loop holding a cond (`loops`), a jitted function "
                      "called twice (`reused_jit`), jax.grad of a function (`gradient`), and a function of two "
                      "arguments",
                 hint="count every equation of the jaxpr and of every Jaxpr in an equation's params (tuples included), "
                      "recursively; the equation holding them counts too; the counts are Python ints.")


# ------------------------------------------------------------------------------------------ find_error
def _stripped(value):
    if type(value) is dict:
        return {key: _stripped(item) for key, item in value.items()}
    return value.strip() if type(value) is str else value


@pytest.mark.task("transforms.find_error")
def test_find_error_reports_checkify_errors(run):
    """Rejects: checkify's default errors (user checks only: nothing found), index checks only (NaN and division
    missed), err.throw() (raises), str(err) instead of err.get(), running checkify eagerly instead of under jax.jit
    (in-process rule: f is not traced)."""
    got, ref = run(probes.find_error_messages)
    expect(got.report["f_calls"] != 0, "find_error never called the function f it was given.")
    expect(got.report["eager_calls"] == 0,
           f"find_error ran f eagerly ({got.report['eager_calls']} of {got.report['f_calls']} calls received concrete "
           "arrays, not tracers): checkify.checkify(f) called without jax.jit runs f operation by operation. Compile "
           "the checkified function with jax.jit, so the checks work inside compiled code.")
    n, extra = ref.given["n"], ref.given["extra"]
    expect_match(_stripped(got.out), _stripped(ref.out),
                 call=f"find_error(f, *args) on a table of {n} entries read at index {n + extra} and {-n - extra}, log "
                      "and sqrt of negative values, an integer division by zero, two faults in one function, and "
                      "functions without fault",
                 hint="checkify's index, NaN and division checks, combined with |; return err.get(): checkify's "
                      "message, or None.")


# ------------------------------------------------------------------------------------------ fd_gradient
@pytest.mark.task("transforms.fd_gradient")
def test_fd_gradient_in_float64(run):
    """Rejects: float32 arithmetic (dtype and rounding), x left in float32 inside the x64 context, switching
    64-bit mode on globally with jax.config.update (in-process rule), forward differences, dividing by eps instead
    of 2 eps, a NumPy array instead of a jax.Array."""
    got, ref = run(probes.fd_gradient_values)
    expect(got.report["x64_after"] == [False, False, False],
           "After fd_gradient returned, 64-bit mode was still on (jax.config.jax_enable_x64 is True): switch it on "
           "only inside the function, with the context manager jax.enable_x64(True).")
    expect_match(got.out, ref.out, rtol=1e-7, atol=1e-9, exact_dtype=True,
                 call="fd_gradient(f, x, eps) for random smooth scalar f with n = 1 and more, and eps "
                      f"{', '.join(f'{e:.2e}' for e in ref.given['eps'].values())}",
                 hint="entry i is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), with x converted to float64 inside "
                      "jax.enable_x64(True); the result is float64.")
    wrong = {name: kind for name, kind in got.report["types"].items() if kind != "jax.Array"}
    expect(not wrong, f"fd_gradient returned {wrong} where the docstring promises a jax.Array.")
