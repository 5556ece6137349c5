# Generated from solutions/transforms.py (sha256 1e8cb59cb0d7) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `transforms`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from transforms import *  # noqa: F401,F403  (the functions you write)


# Task transforms.jacobian_fwd
def test_jacobian_fwd_small_example():
    got = jacobian_fwd(example, jnp.array([0.0, 2.0]))
    assert got.shape == (3, 2), f"jacobian_fwd of a function from R^2 to R^3 has shape {got.shape}, expected (3, 2)"
    assert jnp.allclose(got, jnp.array(EXAMPLE_JACOBIAN)), f"jacobian_fwd returned\n{got}\nexpected\n{EXAMPLE_JACOBIAN}"


def test_jacobian_fwd_under_jit_with_one_input():
    got = jax.jit(lambda x: jacobian_fwd(lambda v: jnp.stack([v[0] ** 2, 5.0 * v[0]]), x))(jnp.array([3.0]))
    assert got.shape == (2, 1) and jnp.allclose(got, jnp.array([[6.0], [5.0]])), (
        f"jax.jit of jacobian_fwd for x -> (x^2, 5x) at x = 3 returned\n{got}\nexpected [[6], [5]]")


# Task transforms.jacobian_rev
def test_jacobian_rev_small_example():
    got = jacobian_rev(example, jnp.array([0.0, 2.0]))
    assert got.shape == (3, 2), f"jacobian_rev of a function from R^2 to R^3 has shape {got.shape}, expected (3, 2)"
    assert jnp.allclose(got, jnp.array(EXAMPLE_JACOBIAN)), f"jacobian_rev returned\n{got}\nexpected\n{EXAMPLE_JACOBIAN}"


def test_jacobian_rev_under_jit_with_one_output():
    got = jax.jit(lambda x: jacobian_rev(lambda v: jnp.sum(v ** 2, keepdims=True), x))(jnp.array([1.0, -2.0]))
    assert got.shape == (1, 2) and jnp.allclose(got, jnp.array([[2.0, -4.0]])), (
        f"jax.jit of jacobian_rev for x -> [sum(x^2)] at x = (1, -2) returned\n{got}\nexpected [[2, -4]]")


# Task transforms.jacobian_auto
def test_jacobian_auto_values_both_ways():
    tall = jacobian_auto(example, jnp.array([0.0, 2.0]))
    assert jnp.allclose(tall, jnp.array(EXAMPLE_JACOBIAN)), f"jacobian_auto returned\n{tall}\nexpected\n{EXAMPLE_JACOBIAN}"
    wide = jacobian_auto(lambda v: jnp.stack([v @ v, jnp.sum(v)]), jnp.array([1.0, 2.0, 3.0]))
    expected = jnp.array([[2.0, 4.0, 6.0], [1.0, 1.0, 1.0]])
    assert jnp.allclose(wide, expected), f"jacobian_auto of x -> (x.x, sum(x)) at (1, 2, 3) returned\n{wide}\nexpected\n{expected}"


# Task transforms.hvp
def test_hvp_small_example():
    h = lambda x: jnp.sum(x ** 3) + x[0] * x[1]
    got = hvp(h, jnp.array([1.0, 2.0]), jnp.array([1.0, 0.0]))
    assert jnp.allclose(got, jnp.array([6.0, 1.0])), f"hvp of sum(x^3) + x0 x1 at (1, 2) along (1, 0) returned {got}, expected [6, 1]"


def test_hvp_vmapped_over_v_gives_the_hessian():
    h = lambda x: jnp.sum(x ** 3) + x[0] * x[1]
    got = jax.vmap(lambda v: hvp(h, jnp.array([1.0, 2.0]), v))(jnp.eye(2))
    expected = jnp.array([[6.0, 1.0], [1.0, 12.0]])
    assert jnp.allclose(got, expected), f"vmap of hvp over the basis returned\n{got}\nexpected the Hessian\n{expected}"


# Task transforms.newton_step
def test_newton_step_solves_a_quadratic_in_one_step():
    A = jnp.array([[3.0, 1.0], [1.0, 2.0]])
    b = jnp.array([1.0, -1.0])
    quadratic = lambda x: 0.5 * x @ A @ x - b @ x
    got = newton_step(quadratic, jnp.array([5.0, 5.0]))
    expected = jnp.linalg.solve(A, b)
    assert jnp.allclose(got, expected, atol=1e-5), (
        f"one Newton step on a quadratic from (5, 5) returned {got}, expected its minimum {expected}")


# Task transforms.safe_norm
def test_safe_norm_value_and_gradients():
    x = jnp.array([3.0, 4.0])
    assert jnp.allclose(safe_norm(x), 5.0), f"safe_norm([3, 4]) returned {safe_norm(x)}, expected 5"
    grad = jax.grad(safe_norm)(x)
    assert jnp.allclose(grad, jnp.array([0.6, 0.8])), f"jax.grad(safe_norm)([3, 4]) returned {grad}, expected [0.6, 0.8]"
    at_zero = jax.grad(safe_norm)(jnp.zeros(3))
    assert jnp.array_equal(at_zero, jnp.zeros(3)), f"jax.grad(safe_norm)(zeros) returned {at_zero}, expected zeros"


def test_safe_norm_is_a_custom_jvp():
    names = [eqn.primitive.name for eqn in jax.make_jaxpr(safe_norm)(jnp.ones(2)).eqns]
    assert "custom_jvp_call" in names, f"the program of safe_norm holds {names}: define the derivative with jax.custom_jvp"


# Task transforms.clip_gradient
def test_clip_gradient_keeps_values_and_clips_the_gradient():
    x = jnp.array([1.0, -2.0, 3.0, 0.5])
    assert jnp.array_equal(clip_gradient(x, 1.0), x), "clip_gradient(x, 1.0) changed the values of x"
    grad = jax.grad(lambda v: 10.0 * jnp.sum(clip_gradient(v, 1.0)))(x)   # g = 10 everywhere, norm 20
    assert jnp.allclose(grad, 0.5), f"the clipped gradient is {grad}, expected 0.5 everywhere (norm 1)"
    small = jax.grad(lambda v: 0.1 * jnp.sum(clip_gradient(v, 1.0)))(x)   # norm 0.2: unchanged
    assert jnp.allclose(small, 0.1), f"a gradient of norm 0.2 with max_norm 1 became {small}, expected 0.1 everywhere"


# Task transforms.count_primitives
def test_count_primitives_flat_program():
    got = count_primitives(lambda x: jnp.sin(x) * jnp.sin(2.0 * x), jnp.ones(3))
    assert got == {"sin": 2, "mul": 2}, f"count_primitives of sin(x) * sin(2x) returned {got}, expected {{'sin': 2, 'mul': 2}}"


def test_count_primitives_looks_inside_a_cond():
    got = count_primitives(lambda x: jax.lax.cond(x > 0, jnp.sin, jnp.cos, x), 1.0)
    assert got.get("sin") == 1 and got.get("cos") == 1 and got.get("cond") == 1, (
        f"count_primitives of lax.cond(x > 0, sin, cos, x) returned {got}: both branches live inside the cond "
        "equation and count, and so does the cond itself")


# Task transforms.find_error
def test_find_error_reports_an_index_past_the_end():
    message = find_error(lambda table, i: table[i], jnp.arange(4.0), jnp.int32(6))
    assert isinstance(message, str) and message.startswith("out-of-bounds indexing"), (
        f"find_error on table[6] with a table of 4 entries returned {message!r}, expected checkify's "
        "out-of-bounds message")


def test_find_error_returns_none_when_all_is_well():
    message = find_error(lambda x: jnp.log(x) / x, jnp.array([1.0, 2.0]))
    assert message is None, f"find_error on log(x) / x at x = (1, 2) returned {message!r}, expected None"


# Task transforms.fd_gradient
def test_fd_gradient_is_float64_and_accurate():
    got = fd_gradient(lambda v: jnp.sum(jnp.sin(v)), jnp.array([1.0, 0.25], dtype=jnp.float32), 1e-3)
    assert got.dtype == jnp.float64, f"fd_gradient returned dtype {got.dtype}, expected float64"
    with jax.enable_x64(True):
        expected = jnp.cos(jnp.array([1.0, 0.25], dtype=jnp.float64))
        error = float(jnp.max(jnp.abs(got - expected)))
    assert error < 1e-6, f"fd_gradient of sum(sin) is {error:.1e} away from cos(x), expected under 1e-6 in float64"
    assert not jax.config.jax_enable_x64, "fd_gradient left 64-bit mode switched on: use the context manager"
