# Generated from solutions/transforms.py (sha256 1e8cb59cb0d7) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Transforms: JVPs and VJPs, Jacobians and Hessians, custom derivatives, and looking inside compiled code.

Learning goals
--------------
- Know what ``jax.jvp`` (a Jacobian-vector product: forward mode) and ``jax.vjp`` (a vector-Jacobian
  product: reverse mode) compute, and build a whole Jacobian from either by mapping over a basis with
  ``jax.vmap``.
- Choose forward mode for tall Jacobians and reverse mode for wide ones, and measure the difference.
- Take derivatives of derivatives: a Hessian-vector product that never builds the Hessian, and a Newton
  step that does.
- Give a function your own derivative: ``jax.custom_jvp`` for a norm whose gradient at zero is finite,
  ``jax.custom_vjp`` to clip gradients in the backward pass.
- Read the program a transform produces with ``jax.make_jaxpr``.
- Find errors inside compiled code with ``jax.debug.print``, ``checkify`` and ``jax.debug_nans``.
- Switch to 64-bit arithmetic with ``jax.enable_x64`` where precision matters, as in a finite-difference
  check of a gradient.

Out of scope: pytrees as inputs and outputs of transforms (topic ``pytrees``), ``jax.experimental.jet``,
writing new primitives.
"""

# %%
import jax
import jax.extend.core  # Jaxpr and ClosedJaxpr: the types of the programs jax.make_jaxpr returns
import jax.numpy as jnp
from jax.experimental import checkify

# %% [markdown]
# ## Forward and reverse mode: JVP and VJP
#
# Take `f` from $\mathbb{R}^n$ to $\mathbb{R}^m$ and its Jacobian `J` at `x`, an `m x n` matrix. JAX never
# builds `J` unless asked; its two basic operations multiply by it:
#
# - `jax.jvp(f, (x,), (v,))` returns `(f(x), J @ v)`. It pushes a *tangent* `v` (shaped like `x`) forward
#   through `f`, alongside the computation of `f(x)`: **forward mode**. With `v` the `j`-th basis vector,
#   `J @ v` is column `j` of `J`.
# - `jax.vjp(f, x)` returns `(f(x), pull_back)`, and `pull_back(u)` is `(u @ J,)`: it pulls a *cotangent*
#   `u` (shaped like `f(x)`) back from the output to the input: **reverse mode**. With `u` the `i`-th basis
#   vector, `u @ J` is row `i` of `J`. The result is a tuple with one entry per argument of `f`.
#
# `jax.grad(f)` is a VJP with `u = 1.0` for a scalar `f`. `jax.jacfwd` and `jax.jacrev` build whole
# Jacobians, from JVPs and from VJPs.
#
# ```python
# >>> jax.vjp(jnp.sin, 1.0)[1](1.0), jax.grad(jnp.sin)(1.0)
# ((Array(0.5403023, dtype=float32, weak_type=True),), Array(0.5403023, dtype=float32, weak_type=True))
# >>> def f(x):
# ...     return jnp.array([x[0] * x[1], jnp.sin(x[0]), 3.0 * x[1]])
# >>> x = jnp.array([0.0, 2.0])
# >>> jax.jacfwd(f)(x)
# Array([[2., 0.],
#        [1., 0.],
#        [0., 3.]], dtype=float32)
# >>> jax.jvp(f, (x,), (jnp.array([1.0, 0.0]),))     # (f(x), J @ e_0): the first column
# (Array([0., 0., 6.], dtype=float32), Array([2., 1., 0.], dtype=float32))
# >>> y, pull_back = jax.vjp(f, x)
# >>> pull_back(jnp.array([0.0, 0.0, 1.0]))            # e_2 @ J, the last row, in a one-entry tuple
# (Array([0., 3.], dtype=float32),)
# ```
#
# `jax.vmap` maps a JVP over a stack of tangents (or a pullback over a stack of cotangents) in one batched
# call: here the derivatives of `f` along two directions, one row per direction.
#
# ```python
# >>> directions = jnp.array([[1.0, 1.0], [0.5, -1.0]])
# >>> jax.vmap(lambda v: jax.jvp(f, (x,), (v,))[1])(directions)
# Array([[ 2. ,  1. ,  3. ],
#        [ 1. ,  0.5, -3. ]], dtype=float32)
# ```
#
# A Python loop over the directions gives the same numbers, but once traced (under `jit`, or inside another
# transform) it copies the whole program once per direction; the batched program keeps its size:
#
# ```python
# >>> def size_of_program(function, k):   # equations in the traced program for k directions
# ...     return len(jax.make_jaxpr(function)(x, jnp.ones((k, 2))).eqns)
# >>> by_loop = lambda x, vs: [jax.jvp(f, (x,), (v,))[1] for v in vs]
# >>> by_vmap = lambda x, vs: jax.vmap(lambda v: jax.jvp(f, (x,), (v,))[1])(vs)
# >>> size_of_program(by_loop, 2), size_of_program(by_loop, 4), size_of_program(by_vmap, 2), size_of_program(by_vmap, 4)
# (70, 140, 33, 33)
# ```
#
# `vmap` stacks the results along a new leading axis unless its `out_axes` names another one:
#
# ```python
# >>> jax.vmap(lambda v: 2.0 * v)(jnp.ones((4, 3))).shape, jax.vmap(lambda v: 2.0 * v, out_axes=1)(jnp.ones((4, 3))).shape
# ((4, 3), (3, 4))
# ```

# %%
def example(x):
    """A function from R^2 to R^3 for the visible tests; its Jacobian at (0, 2) is EXAMPLE_JACOBIAN."""
    return jnp.array([x[0] * x[1], jnp.sin(x[0]), 3.0 * x[1]])


EXAMPLE_JACOBIAN = [[2.0, 0.0], [1.0, 0.0], [0.0, 3.0]]


# %%
def jacobian_fwd(f, x: jax.Array) -> jax.Array:
    """Task transforms.jacobian_fwd: the Jacobian of ``f`` at ``x``, built column by column from JVPs.

    Args:
        f: a function from a float32 array of shape ``(n,)`` to a float32 array of shape ``(m,)``, written
            with ``jax.numpy`` (it can be traced, differentiated and vmapped).
        x: a float32 array of shape ``(n,)``, ``n >= 1``.

    Returns:
        The float32 Jacobian of shape ``(m, n)``: entry ``[i, j]`` is the derivative of output ``i`` with
        respect to input ``j``. ``n == 1`` and ``m == 1`` included.

    Rules: forward mode only. Column ``j`` is the JVP of ``f`` at ``x`` along the ``j``-th basis vector; compute
    all ``n`` JVPs in one batched call with ``jax.vmap`` (no Python loop over the basis: the traced program
    must not grow with ``n``). Do not call ``jax.jacfwd``, ``jax.jacrev``, ``jax.jacobian``, ``jax.hessian``,
    nor the reverse-mode functions ``jax.vjp``, ``jax.grad``, ``jax.value_and_grad``, ``jax.linear_transpose``.
    Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
def jacobian_rev(f, x: jax.Array) -> jax.Array:
    """Task transforms.jacobian_rev: the Jacobian of ``f`` at ``x``, built row by row from VJPs.

    Args:
        f: a function from a float32 array of shape ``(n,)`` to a float32 array of shape ``(m,)``, written
            with ``jax.numpy``.
        x: a float32 array of shape ``(n,)``, ``n >= 1``.

    Returns:
        The float32 Jacobian of shape ``(m, n)`` (``n == 1`` and ``m == 1`` included).

    Rules: reverse mode only. Row ``i`` is the VJP of ``f`` at ``x`` with the ``i``-th basis vector of the
    output space; compute all ``m`` VJPs in one batched call with ``jax.vmap`` (no Python loop over the
    outputs: the traced program must not grow with ``m``). Do not call ``jax.jacfwd``, ``jax.jacrev``,
    ``jax.jacobian``, ``jax.hessian``, nor the forward-mode functions ``jax.jvp`` and ``jax.linearize``.
    Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Which mode is cheaper?
#
# One JVP costs about as much as one evaluation of `f`; one VJP too, up to a small factor (and the memory
# to keep the forward pass for the backward pass). A whole Jacobian takes `n` JVPs (one per input) or `m`
# VJPs (one per output). So forward mode wins for a *tall* Jacobian (many outputs, few inputs), reverse mode
# for a *wide* one: a gradient of a loss over a million parameters is one VJP, or a million JVPs. XLA
# estimates the floating-point operations of a jitted function from its lowered program, without running it:
#
# ```python
# >>> W = jnp.linspace(-1.0, 1.0, 200).reshape(100, 2)
# >>> def flops(jacobian, f, x):
# ...     return jax.jit(jacobian(f)).lower(x).cost_analysis()["flops"]
# >>> tall = lambda x: jnp.tanh(W @ x)       # 2 inputs, 100 outputs
# >>> flops(jax.jacfwd, tall, jnp.ones(2)), flops(jax.jacrev, tall, jnp.ones(2))
# (1908.0, 90500.0)
# >>> wide = lambda x: jnp.tanh(W.T @ x)     # 100 inputs, 2 outputs
# >>> flops(jax.jacfwd, wide, jnp.ones(100)), flops(jax.jacrev, wide, jnp.ones(100))
# (61002.0, 1222.0)
# ```
#
# The two modes agree on the values (up to rounding). `jax.jacobian` is reverse mode: its documentation calls
# it an alias of `jax.jacrev`.
#
# ```python
# >>> bool(jnp.allclose(jax.jacfwd(tall)(jnp.ones(2)), jax.jacrev(tall)(jnp.ones(2)), atol=1e-6))
# True
# >>> jax.jacobian.__doc__.splitlines()[0]
# 'Alias of :func:`jax.jacrev`.'
# ```

# %%
def jacobian_auto(f, x: jax.Array) -> jax.Array:
    """Task transforms.jacobian_auto: the Jacobian of ``f`` at ``x``, computed in the cheaper mode for its shape.

    Args:
        f: a function from a float32 array of shape ``(n,)`` to a float32 array of shape ``(m,)``, written
            with ``jax.numpy``.
        x: a float32 array of shape ``(n,)``, ``n >= 1``.

    Returns:
        The float32 Jacobian of shape ``(m, n)`` (``n == 1`` and ``m == 1`` included).

    Rules: forward mode when ``f`` has more outputs than inputs (``m > n``), reverse mode when it has fewer
    (``m < n``), either when ``m == n``. Any JAX function may be used (``jax.jacfwd`` and ``jax.jacrev``
    included). The checks measure the cost: the flops XLA counts for
    ``jax.jit(lambda x: jacobian_auto(f, x)).lower(x).cost_analysis()`` on a tall and on a wide ``f`` must
    be those of the cheaper mode. Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Derivatives of derivatives
#
# Transforms compose: the derivative of a derivative is one more transform around it. `jax.hessian(f)` is
# `jax.jacfwd(jax.jacrev(f))`: forward mode over reverse mode.
#
# ```python
# >>> jax.grad(jax.grad(lambda x: x ** 3))(2.0)        # 6 x
# Array(12., dtype=float32, weak_type=True)
# >>> h = lambda x: jnp.sum(x ** 3) + x[0] * x[1]
# >>> jax.hessian(h)(jnp.array([1.0, 2.0]))
# Array([[ 6.,  1.],
#        [ 1., 12.]], dtype=float32)
# >>> bool(jnp.array_equal(jax.hessian(h)(jnp.array([1.0, 2.0])), jax.jacfwd(jax.jacrev(h))(jnp.array([1.0, 2.0]))))
# True
# ```
#
# A Hessian has `n * n` entries: for a model with a million parameters it does not fit in memory. Many
# algorithms (conjugate gradients, curvature estimates, Newton-Krylov methods) only need products `H @ v`.
# `H @ v` is the derivative of the gradient along `v`, so it can be computed by differentiating the gradient
# once more, at the cost of a few gradients and with arrays the size of `x`. Building the Hessian first and
# multiplying afterwards puts an `n x n` array in the program:
#
# ```python
# >>> n = 100
# >>> loss = lambda x: jnp.sum(jnp.sin(x) ** 2) + jnp.sum(x) ** 2
# >>> v = jnp.ones(n)
# >>> "f32[100,100]" in str(jax.make_jaxpr(lambda x: jax.hessian(loss)(x) @ v)(jnp.ones(n)))
# True
# ```

# %%
def hvp(f, x: jax.Array, v: jax.Array) -> jax.Array:
    """Task transforms.hvp: the Hessian-vector product ``H(x) @ v`` of a scalar function, without the Hessian.

    Args:
        f: a twice-differentiable function from a float32 array of shape ``(n,)`` to a float32 scalar,
            written with ``jax.numpy``.
        x: a float32 array of shape ``(n,)``, ``n >= 1``.
        v: a float32 array of shape ``(n,)``.

    Returns:
        A float32 array of shape ``(n,)``: ``H(x) @ v``, where ``H(x)`` is the ``n x n`` Hessian of ``f`` at ``x``.

    Rules: never build the Hessian: the traced program must hold no array with ``n * n`` entries or more (the
    checks use ``n`` of 20 or more, and functions ``f`` whose own arrays are much smaller than that). Must work
    under ``jax.jit`` and under ``jax.vmap`` over ``v``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# Newton's method uses the whole Hessian: from `x` it jumps to the minimum of the quadratic model
# `f(x) + g @ d + d @ H @ d / 2`, that is to `x - H^-1 g`. Solve the linear system `H d = g` rather than
# inverting `H`: it is cheaper and more accurate.
#
# ```python
# >>> A = jnp.array([[2.0, 1.0], [1.0, 3.0]])
# >>> jnp.linalg.solve(A, jnp.array([3.0, 5.0]))      # the d with A @ d = (3, 5)
# Array([0.8, 1.4], dtype=float32)
# ```

# %%
def newton_step(f, x: jax.Array) -> jax.Array:
    """Task transforms.newton_step: one Newton step ``x - H(x)^-1 g(x)`` towards the minimum of ``f``.

    Args:
        f: a twice-differentiable function from a float32 array of shape ``(n,)`` to a float32 scalar, with a
            positive definite Hessian at ``x``.
        x: a float32 array of shape ``(n,)``, ``n >= 1``.

    Returns:
        A float32 array of shape ``(n,)``: ``x - H(x)^-1 g(x)``, where ``g(x)`` is the gradient and ``H(x)`` the
        Hessian of ``f`` at ``x``. Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Your own derivative rules
#
# The gradient of the Euclidean norm at zero is `nan`: the derivative of `sqrt` at 0 is `inf`, and the chain
# rule multiplies it by 0.
#
# ```python
# >>> jax.grad(jnp.sqrt)(0.0)
# Array(inf, dtype=float32, weak_type=True)
# >>> jax.grad(jnp.linalg.norm)(jnp.zeros(3))
# Array([nan, nan, nan], dtype=float32)
# ```
#
# `jax.custom_jvp` replaces the derivative of a function with a rule you write: given the primal inputs and
# their tangents, return the primal output and its tangent. The tangent output must be linear in the input
# tangents and shaped like the primal output. JAX derives reverse mode from the rule (by transposing its
# tangent part), so `jax.grad` uses your rule too, and the traced program marks the function with a
# `custom_jvp_call`.
#
# ```python
# >>> @jax.custom_jvp
# ... def cube(x):
# ...     return x ** 3
# >>> @cube.defjvp
# ... def cube_jvp(primals, tangents):
# ...     (x,), (t,) = primals, tangents
# ...     return cube(x), 3.0 * x ** 2 * t
# >>> jax.jvp(cube, (2.0,), (1.0,))
# (8.0, 12.0)
# >>> jax.grad(cube)(2.0)                               # reverse mode, from the same rule
# Array(12., dtype=float32, weak_type=True)
# >>> [eqn.primitive.name for eqn in jax.make_jaxpr(cube)(2.0).eqns]
# ['custom_jvp_call']
# ```
#
# A tangent of the wrong shape is refused:
#
# ```python
# >>> @jax.custom_jvp
# ... def total(x):
# ...     return jnp.sum(x)
# >>> _ = total.defjvp(lambda primals, tangents: (total(primals[0]), tangents[0]))   # not summed: shape (2,)
# >>> jax.jvp(total, (jnp.ones(2),), (jnp.ones(2),))
# Traceback (most recent call last):
# TypeError: Custom JVP rule must produce primal and tangent outputs with corresponding shapes and dtypes...
# ```
#
# A rule is traced like any other code, and reverse mode runs its tangent part backwards: a `jnp.where` in the
# rule then sends a zero cotangent into the branch it did not pick, and `0 / 0` there is `nan`. Forward mode
# is fine, reverse mode is not; the double-where of topic `gotchas` is the cure here too.
#
# ```python
# >>> @jax.custom_jvp
# ... def reciprocal_or_zero(x):
# ...     return jnp.where(x != 0, 1 / x, 0.0)
# >>> @reciprocal_or_zero.defjvp
# ... def reciprocal_or_zero_jvp(primals, tangents):
# ...     (x,), (t,) = primals, tangents
# ...     return reciprocal_or_zero(x), jnp.where(x != 0, -t / x ** 2, 0.0)
# >>> jax.jvp(reciprocal_or_zero, (jnp.array(0.0),), (jnp.array(1.0),))[1]
# Array(0., dtype=float32, weak_type=True)
# >>> jax.grad(reciprocal_or_zero)(jnp.array(0.0))
# Array(nan, dtype=float32, weak_type=True)
# ```

# %%
def safe_norm(x: jax.Array) -> jax.Array:
    """Task transforms.safe_norm: the Euclidean norm of all entries of ``x``, with a derivative that is safe at 0.

    Args:
        x: a float32 array of any shape with at least one entry.

    Returns:
        A float32 scalar: ``sqrt(sum(x ** 2))``.

    Rules: give it its derivative with ``jax.custom_jvp`` (the traced program must show a ``custom_jvp_call``).
    Its JVP along a tangent ``t`` is ``sum(x * t) / norm(x)`` where ``x`` is not all zeros, and ``0`` where it
    is, so that ``jax.grad`` gives ``x / norm(x)``, and zeros (no NaN) at ``x == 0``. ``jax.jvp``, ``jax.grad``,
    ``jax.jit`` and ``jax.vmap`` must all work.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# `jax.custom_vjp` replaces reverse mode only. You give two functions: `fwd` computes the output and the
# *residuals* the backward pass will need; `bwd` receives the residuals and the cotangent of the output and
# returns a tuple with one cotangent per input. The value a function computes and the gradient it passes back
# can then be chosen separately: this one leaves values alone and flips the sign of the gradient (the
# "gradient reversal" trick of domain adaptation).
#
# ```python
# >>> @jax.custom_vjp
# ... def flip_gradient(x):
# ...     return x
# >>> flip_gradient.defvjp(lambda x: (x, None), lambda residuals, g: (-g,))
# >>> jax.grad(lambda x: 3.0 * flip_gradient(x))(1.0)
# Array(-3., dtype=float32, weak_type=True)
# ```
#
# Forward mode has no rule to use, so it refuses:
#
# ```python
# >>> jax.jvp(flip_gradient, (1.0,), (1.0,))
# Traceback (most recent call last):
# TypeError: can't apply forward-mode autodiff (jvp) to a custom_vjp function.
# ```
#
# An argument that must not be differentiated (a threshold, a flag) can be closed over by a custom function
# defined inside yours, or declared with `nondiff_argnums`: then `bwd` receives it first, and returns
# cotangents for the other inputs only.
#
# ```python
# >>> scale_gradient = jax.custom_vjp(lambda x, factor: x, nondiff_argnums=(1,))
# >>> scale_gradient.defvjp(lambda x, factor: (x, None), lambda factor, residuals, g: (factor * g,))
# >>> jax.grad(lambda x: scale_gradient(x, 0.5))(2.0)
# Array(0.5, dtype=float32, weak_type=True)
# ```

# %%
def clip_gradient(x: jax.Array, max_norm: float) -> jax.Array:
    """Task transforms.clip_gradient: the identity on ``x``, whose backward pass clips the gradient's norm.

    Args:
        x: a float32 array of any shape.
        max_norm: a positive Python float; it is not differentiated.

    Returns:
        ``x`` itself: the same values, shape and dtype.

    Rules: give it its derivative with ``jax.custom_vjp``. In reverse mode the cotangent ``g`` that arrives for
    the output (shaped like ``x``) is passed back as ``g * min(1, max_norm / norm(g))``, ``norm(g)`` being the
    Euclidean norm of all entries of ``g``: unchanged when its norm is at most ``max_norm``, rescaled to norm
    ``max_norm`` otherwise, and zero (never NaN) when ``g`` is zero. Under ``jax.vmap`` each example's cotangent
    is clipped on its own. ``jax.grad``, ``jax.jit`` and ``jax.vmap`` must work; forward mode need not.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Reading the program: jaxprs
#
# Every transform works on a *jaxpr*, the program JAX records while tracing a function; `jax.make_jaxpr`
# shows it. Reading one answers "what does this derivative compute?", "why is this slow?" and "did my
# loop unroll?". A jaxpr is a list of equations (`jaxpr.eqns`), each applying one primitive
# (`eqn.primitive.name`) with parameters (`eqn.params`). Some parameters are programs themselves: the body of a
# nested `jit`, the branches of a `lax.cond` (a tuple), the condition and the body of a `lax.while_loop`, the
# body of a `lax.scan`.
#
# ```python
# >>> jax.make_jaxpr(jax.grad(jnp.sin))(1.0)
# { lambda ; a:f32[]. let
#     _:f32[] = sin a
#     b:f32[] = cos a
#     c:f32[] = mul 1.0:f32[] b
#   in (c,) }
# >>> jaxpr = jax.make_jaxpr(lambda x: jnp.where(x > 0, jnp.sin(x), 0.0))(1.0)
# >>> [eqn.primitive.name for eqn in jaxpr.eqns]      # jnp.where is itself a small jitted function
# ['gt', 'sin', 'jit']
# >>> type(jaxpr.eqns[2].params["jaxpr"]) is jax.extend.core.ClosedJaxpr
# True
# >>> [eqn.primitive.name for eqn in jaxpr.eqns[2].params["jaxpr"].eqns]
# ['select_n']
# ```
#
# A `ClosedJaxpr` wraps a `Jaxpr` (its `.jaxpr`) together with the constants it closes over; both have
# `.eqns`. `jax.extend.core.jaxprs_in_params(eqn.params)` yields the `Jaxpr`s found in an equation's
# parameters, inside tuples too:
#
# ```python
# >>> cond = jax.make_jaxpr(lambda x: jax.lax.cond(x > 0, jnp.sin, jnp.cos, x))(1.0).eqns[-1]
# >>> cond.primitive.name, type(cond.params["branches"]).__name__
# ('cond', 'tuple')
# >>> [type(sub).__name__ for sub in jax.extend.core.jaxprs_in_params(cond.params)]
# ['Jaxpr', 'Jaxpr']
# >>> loop = jax.make_jaxpr(lambda x: jax.lax.while_loop(lambda c: c < 3.0, lambda c: c + 1.0, x))(0.0).eqns[-1]
# >>> loop.primitive.name, sorted(name for name in loop.params if name.endswith("jaxpr"))
# ('while', ['body_jaxpr', 'cond_jaxpr'])
# ```

# %%
def count_primitives(f, *args) -> dict:
    """Task transforms.count_primitives: how often each primitive occurs in the program of ``f(*args)``.

    Trace ``f`` with ``jax.make_jaxpr`` on ``args`` and count the equations by primitive name
    (``eqn.primitive.name``). Count the equations of every sub-jaxpr too, at any depth: a sub-jaxpr is a
    ``Jaxpr`` or ``ClosedJaxpr`` found among an equation's params, directly or inside a tuple or list (the body
    of a ``jit``, the branches of a ``cond``, the condition and the body of a ``while``, the body of a ``scan``).
    An equation that holds sub-jaxprs counts itself as well, and a sub-jaxpr that occurs several times (one
    jitted function called twice) is counted every time it occurs.

    Args:
        f: a function JAX can trace.
        *args: its arguments (arrays).

    Returns:
        A dict ``{primitive name: count}`` with Python int counts ``>= 1``; a primitive that does not occur has
        no entry.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Debugging inside `jit`
#
# A Python `print` inside a jitted function runs once, while tracing (topic `gotchas`). `jax.debug.print`
# becomes part of the compiled program and prints the runtime values on every call:
#
# ```python
# >>> @jax.jit
# ... def double(x):
# ...     jax.debug.print("x is {}", x)
# ...     return 2 * x
# >>> _ = double(1.0); _ = double(2.0)
# x is 1.0
# x is 2.0
# ```
#
# Compiled code cannot raise on a bad value, and JAX quietly clamps an out-of-bounds read (topic `gotchas`).
# `checkify` (from `jax.experimental`) turns checks into a returned value: `checkify.checkify(f, errors=...)`
# returns a function giving `(err, out)`, and it can be jitted. `err.get()` is the message of the first
# failed check or `None`; `err.throw()` raises it. Only the checks you ask for are made: the default,
# `checkify.user_checks`, covers only explicit `checkify.check` calls.
#
# ```python
# >>> def lookup(table, i):
# ...     return table[i]
# >>> err, out = jax.jit(checkify.checkify(lookup))(jnp.arange(3.0), 5)
# >>> print(err.get(), out)                       # the default checks see nothing: the read was clamped
# None 2.0
# >>> err, out = jax.jit(checkify.checkify(lookup, errors=checkify.index_checks))(jnp.arange(3.0), 5)
# >>> err.get()
# 'out-of-bounds indexing for array of shape (3,): index 5 is out of bounds for axis 0 with size 3. '
# >>> err.throw()
# Traceback (most recent call last):
# JaxRuntimeError: out-of-bounds indexing for array of shape (3,): index 5 is out of bounds for axis 0 with size 3.
# ```
#
# `checkify.index_checks`, `checkify.nan_checks` and `checkify.div_checks` are sets of error kinds: combine
# them with `|`. When several checks fail, the first one in the program is reported:
#
# ```python
# >>> both = checkify.index_checks | checkify.div_checks
# >>> jax.jit(checkify.checkify(lambda t, i, d: i // d + t[i], errors=both))(jnp.arange(3), 5, 0)[0].get()
# 'division by zero'
# >>> jax.jit(checkify.checkify(lambda t, i, d: t[i] + i // d, errors=both))(jnp.arange(3), 5, 0)[0].get()
# 'out-of-bounds indexing for array of shape (3,): index 5 is out of bounds for axis 0 with size 3. '
# ```
#
# To find where a NaN first appears, `jax.debug_nans(True)` (a context manager; the global flag is
# `jax_debug_nans`) makes JAX check every result and, when a compiled function produced a NaN, run it again
# operation by operation to raise `FloatingPointError` at the first culprit:
#
# ```python
# >>> with jax.debug_nans(True):
# ...     jnp.log(jnp.array(-1.0))
# Traceback (most recent call last):
# FloatingPointError: invalid value (nan) encountered in log
# ```

# %%
def find_error(f, *args):
    """Task transforms.find_error: run ``f`` compiled, with checkify's automatic checks, and report the first error.

    Instrument ``f`` with ``checkify`` for out-of-bounds indexing, NaNs and division by zero
    (``checkify.index_checks``, ``checkify.nan_checks`` and ``checkify.div_checks``), compile it with ``jax.jit``
    (``f`` must be traced by ``jit``, not run eagerly), run it on ``args``, and return the message of the error
    checkify reports: the string ``err.get()`` returns (surrounding whitespace may be stripped). Return ``None``
    when no check failed. Never raise for an error that checkify reports.

    Args:
        f: a pure function of arrays that JAX can trace.
        *args: its arguments (arrays).

    Returns:
        A ``str`` or ``None``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 64-bit precision when it matters
#
# JAX computes in float32 by default: asking for float64 gives float32, with a warning. `jax.enable_x64(True)`
# is a context manager that switches 64-bit mode on for the code inside it only (the global flag is
# `jax_enable_x64`, and it stays as it was). Arrays made inside keep their float64 dtype afterwards.
#
# ```python
# >>> import warnings
# >>> with warnings.catch_warnings(record=True) as caught:
# ...     warnings.simplefilter("always")
# ...     dtype = jnp.ones(2, dtype=jnp.float64).dtype
# >>> dtype, caught[0].category.__name__
# (dtype('float32'), 'UserWarning')
# >>> with jax.enable_x64(True):
# ...     inside = jnp.ones(2, dtype=jnp.float64)
# >>> inside.dtype, jax.config.jax_enable_x64
# (dtype('float64'), False)
# ```
#
# Checking a gradient by finite differences is where it matters most. A central difference
# `(f(x + h) - f(x - h)) / (2 h)` has an error of order `h ** 2` from the formula plus the rounding error of
# `f` divided by `h`: about `1e-7 / h` in float32, `1e-16 / h` in float64.
#
# ```python
# >>> h = 1e-3
# >>> x32 = jnp.float32(1.0)
# >>> bool(abs((jnp.sin(x32 + h) - jnp.sin(x32 - h)) / (2 * h) - jnp.cos(x32)) > 1e-6)
# True
# >>> with jax.enable_x64(True):
# ...     x64 = jnp.float64(1.0)
# ...     print(bool(abs((jnp.sin(x64 + h) - jnp.sin(x64 - h)) / (2 * h) - jnp.cos(x64)) < 1e-6))
# True
# ```
#
# Inside the context, float32 inputs stay float32 (a Python float does not promote them): convert them
# first. A float32 array times a float64 one is float64 there, as in NumPy.
#
# ```python
# >>> with jax.enable_x64(True):
# ...     print((jnp.ones(2, jnp.float32) * 2.0).dtype, (jnp.ones(2, jnp.float32) * jnp.ones(2, jnp.float64)).dtype)
# float32 float64
# ```

# %%
def fd_gradient(f, x: jax.Array, eps: float) -> jax.Array:
    """Task transforms.fd_gradient: the gradient of ``f`` at ``x`` by central finite differences, in float64.

    Entry ``i`` is ``(f(x + eps * e_i) - f(x - eps * e_i)) / (2 * eps)`` with ``e_i`` the ``i``-th basis vector,
    every step computed in float64: ``x`` itself, the shifted points, ``f`` and the differences.

    Args:
        f: a function from an array of shape ``(n,)`` to a scalar, written with ``jax.numpy``; it computes in the
            precision of its input (float64 in, float64 out while 64-bit mode is on).
        x: a float32 array of shape ``(n,)``, ``n >= 1``.
        eps: the step, a Python float in ``[1e-4, 1e-3]``.

    Returns:
        A float64 ``jax.Array`` of shape ``(n,)``.

    Rules: switch 64-bit mode on only inside the function, with the context manager ``jax.enable_x64(True)``:
    the global setting (``jax.config.jax_enable_x64``) must be the same after the call as before it.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
