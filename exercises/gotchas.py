# Generated from solutions/gotchas.py (sha256 f657ba736a09) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""JAX gotchas: the six surprises that trip up everyone coming from NumPy.

Learning goals
--------------
- Write pure functions: thread state in and out explicitly instead of using globals and ``print``.
- Update arrays with ``.at[]`` and use the returned array (JAX arrays are immutable); know that
  ``.at[].add`` accumulates over duplicate indices.
- Know that out-of-bounds reads are clamped and out-of-bounds writes are dropped, and write a safe
  version with an explicit fill value.
- Convert Python lists and tuples with ``jnp.asarray`` before handing them to ``jnp`` functions.
- Manage randomness with explicit keys: split, never reuse; the same key gives the same sample.
- Replace Python control flow on traced values with ``jnp.where``, ``lax.while_loop`` and ``lax.scan``,
  and mark shape-determining arguments as static.

Out of scope: ``jax.grad`` beyond using it as a check, pytrees in depth (topic ``pytrees``).
"""

# %%
import jax
import jax.numpy as jnp
from jax import lax

# %% [markdown]
# ## Gotcha 1: pure functions
#
# `jax.jit` traces a function once per input shape and replays the compiled result afterwards. Side effects
# (a `print`, incrementing a global) run only while tracing, and globals are frozen into the compiled code.
# This running mean *looks* fine and is wrong under `jit`:
#
# ```python
# count, total = 0, 0.0
# def impure_running_mean(x):
#     global count, total
#     count += 1          # runs once per trace, not once per call
#     total = total + x   # total becomes a tracer captured at trace time
#     return total / count
# ```
#
# The pure version takes the state as an argument and returns the new state: the caller decides where it lives.
# You can watch the trap happen: a `print` inside a jitted function runs once, while tracing, not once per call.
#
# ```python
# >>> @jax.jit
# ... def noisy(x):
# ...     print("tracing")
# ...     return x + 1
# >>> _ = noisy(1.0); _ = noisy(2.0)
# tracing
# ```

# %%
def init_running_mean(shape: tuple[int, ...]) -> dict:
    """The state before any observation: zero count, zero total."""
    return {"count": jnp.zeros((), jnp.int32), "total": jnp.zeros(shape, jnp.float32)}


def running_mean_step(state: dict, x: jax.Array) -> tuple[dict, jax.Array]:
    """Task gotchas.running_mean_step: one step of a running mean, written as a pure function.

    Args:
        state: ``{"count": int32 scalar, "total": float32 array shaped like x}`` as made by
            ``init_running_mean``. Do not modify it: build a new dict.
        x: the new observation, a float32 array.

    Returns:
        ``(new_state, mean)`` where ``new_state`` counts one more observation and ``mean`` is the mean
        of every observation so far (``new_total / new_count``). The function must be pure: same inputs,
        same outputs, no globals read or written, so that ``jax.jit`` and ``lax.scan(running_mean_step,
        state, xs)`` give the same answers as a Python loop.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Gotcha 2: in-place updates with `.at[]`
#
# `x[i] = v` raises on a JAX array. `x.at[i].set(v)` returns a **new** array and leaves `x` as it was, so the
# result must be used: `x.at[i].set(v)` on a line of its own does nothing at all.

# %%
def swap_rows(x: jax.Array, i: int | jax.Array, j: int | jax.Array) -> jax.Array:
    """Task gotchas.swap_rows: return a copy of ``x`` with rows ``i`` and ``j`` exchanged.

    Args:
        x: a JAX or NumPy array with at least one dimension. A NumPy array must not be modified.
        i, j: row indices in ``[0, x.shape[0])``: Python ints or traced integer scalars (it must work
            under ``jax.jit`` with traced ``i`` and ``j``). ``i == j`` is allowed.

    Returns:
        A new array with the shape and dtype of ``x``; ``x`` itself is unchanged.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# `.at[idx].add(v)` with repeated indices adds once **per occurrence**, which makes it a one-line histogram.
# Mind the index rules too: a negative index counts from the end, and an index past the end is silently
# dropped by scatter updates.

# %%
def bincount(idx: jax.Array, length: int) -> jax.Array:
    """Task gotchas.bincount: count how often each value ``0 .. length-1`` occurs in ``idx``.

    Args:
        idx: an integer array of any shape, possibly empty. Values outside ``[0, length)`` (negative
            ones too) are ignored: they are not counted anywhere.
        length: number of bins, a Python int ``>= 1``.

    Returns:
        An int32 array of shape ``(length,)``. Must work under ``jax.jit`` with ``length`` static.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# Why the mask? Scatter updates handle indices their own way, and neither way is "ignore":
#
# ```python
# >>> jnp.zeros(3).at[jnp.array([5])].set(1.0)    # past the end: the write is dropped
# Array([0., 0., 0.], dtype=float32)
# >>> jnp.zeros(3).at[jnp.array([-1])].add(1.0)   # negative: counts from the end, like NumPy
# Array([0., 0., 1.], dtype=float32)
# ```

# %% [markdown]
# ## Gotcha 3: out-of-bounds indexing does not raise
#
# NumPy raises `IndexError` for `np.arange(5)[7]`. JAX cannot raise from compiled code, so a read past
# the end is **clamped** (`jnp.arange(5)[7]` is `4`) and a write past the end is **dropped**. When the
# difference matters, say what should happen explicitly.

# %%
def safe_take(x: jax.Array, idx: jax.Array, fill: float) -> jax.Array:
    """Task gotchas.safe_take: ``x[idx]`` for valid indices, ``fill`` for out-of-bounds ones.

    Args:
        x: a 1-D array of length ``n``.
        idx: an integer array of any shape. Indices in ``[-n, n)`` are valid (negative ones count
            from the end, as in NumPy); any other index is out of bounds.
        fill: the value returned for out-of-bounds indices (a Python float, not traced), converted to
            the dtype of ``x``.

    Returns:
        An array shaped like ``idx`` with the dtype of ``x`` (float or integer). Must work under
        ``jax.jit`` and ``jax.vmap``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# Once you have built the mask yourself, know that JAX offers the same policy ready-made: `jnp.take` with
# `mode="fill"` returns `fill_value` for out-of-bounds indices and lets negative ones count from the end.
#
# ```python
# >>> jnp.take(jnp.arange(5.0), jnp.array([-6, -1, 0, 5]), mode="fill", fill_value=-1.0)
# Array([-1.,  4.,  0., -1.], dtype=float32)
# ```
#
# ## Gotcha 4: non-array inputs
#
# `jnp.sum([1, 2, 3])` raises `TypeError`: JAX functions refuse Python lists and tuples, because tracing a
# list would create one tracer per element. Convert once, at the boundary, with `jnp.asarray`.
#
# ```python
# >>> jnp.sum([1, 2, 3])
# Traceback (most recent call last):
# TypeError: sum requires ndarray or scalar arguments, got <class 'list'> at position 0.
# >>> jnp.sum(jnp.asarray([1, 2, 3]))
# Array(6, dtype=int32)
# ```

# %%
def weighted_average(values, weights) -> jax.Array:
    """Task gotchas.weighted_average: ``sum(w * v) / sum(w)``.

    Args:
        values, weights: 1-D sequences of equal length ``>= 1``: Python lists, tuples, NumPy arrays or
            JAX arrays, with int or float entries (an int input must not make the arithmetic integer).
            The weights are positive.

    Returns:
        A float32 scalar ``jax.Array``. Must also work under ``jax.jit`` (with JAX array inputs).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Gotcha 5: random numbers need explicit keys
#
# There is no hidden global random state. A key is a value: the same key always gives the same sample, so
# using one key twice gives two *identical* "random" draws. Split a key into as many subkeys as you need,
# and never use a key again after splitting it.

# %%
def dropout_masks(key: jax.Array, n: int, shape: tuple[int, ...], keep_prob: float) -> jax.Array:
    """Task gotchas.dropout_masks: ``n`` independent random keep-masks drawn from one key.

    Split ``key`` once into ``n`` subkeys with ``jax.random.split(key, n)``; mask ``i`` is
    ``jax.random.bernoulli(subkeys[i], keep_prob, shape)``. No key is used twice, and no randomness comes
    from anywhere but ``key``: the same key always gives the same masks.

    Args:
        key: a typed PRNG key (``jax.random.key``).
        n: number of masks, ``n >= 1``.
        shape: shape of one mask (a tuple of ints).
        keep_prob: probability that an entry is True (kept), in ``(0, 1)``.

    Returns:
        A boolean array of shape ``(n, *shape)``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Gotcha 6: control flow under `jit`
#
# Inside `jax.jit` (and `jax.vmap`, and `jax.grad` of a jitted function) values are tracers: a Python `if x > 0`
# or `while n != 1` on them raises `TracerBoolConversionError`. Use `jnp.where` for elementwise choices,
# `lax.cond` for a branch, `lax.while_loop` / `lax.fori_loop` for loops with a traced end, and `lax.scan` to
# carry state through a sequence without unrolling a Python loop into the compiled program.
#
# A trap inside the trap: `jnp.where` computes *both* branches, and so does its gradient. The gradient of
# `log` at 0 is `inf`; `where`'s backward pass multiplies the unused branch's gradient by 0, and `0 * inf` is
# `nan`. Feed the unused branch a harmless value instead (the "double where").
#
# ```python
# >>> jax.grad(jnp.log)(0.0)
# Array(inf, dtype=float32, weak_type=True)
# >>> jax.grad(lambda x: jnp.where(x > 0, jnp.log(x), 0.0))(0.0)
# Array(nan, dtype=float32, weak_type=True)
# ```

# %%
def soft_clip(x: jax.Array) -> jax.Array:
    """Task gotchas.soft_clip: elementwise ``x`` where ``|x| <= 1``, else ``sign(x) * (1 + log|x|)``.

    Args:
        x: a float array of any shape.

    Returns:
        An array with the shape and dtype of ``x``. Must work under ``jax.jit`` and ``jax.vmap``, and
        ``jax.grad`` of its sum must be finite everywhere: at ``x == 0`` and at the kinks ``x == +-1`` too.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
def collatz_steps(n: jax.Array) -> jax.Array:
    """Task gotchas.collatz_steps: how many Collatz steps take ``n`` to 1.

    One step maps ``n`` to ``n // 2`` if ``n`` is even, else to ``3 * n + 1``. ``collatz_steps(1) == 0``
    and ``collatz_steps(6) == 8``.

    Args:
        n: an int32 scalar ``>= 1`` (possibly traced: it must work under ``jax.jit`` and ``jax.vmap``).

    Returns:
        An int32 scalar.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
def ema(xs: jax.Array, decay: float) -> jax.Array:
    """Task gotchas.ema: exponential moving average along the first axis.

    ``s[0] = xs[0]`` and ``s[t] = decay * s[t-1] + (1 - decay) * xs[t]``.

    Args:
        xs: a float32 array of shape ``(T, ...)``; ``T == 1`` is allowed (then ``s == xs``).
        decay: a Python float in ``[0, 1]``, both ends included.

    Returns:
        ``s``, shaped like ``xs``. The compiled program must not grow with ``T`` (no Python loop over
        time steps), and ``jax.grad`` must flow through it.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# Shapes must be known when tracing. An argument that decides a shape, like the number of classes below,
# must be **static**: `jax.jit(f, static_argnames="num_classes")` hands it to your function as a plain Python
# value and compiles one version per value it sees. Never derive a shape from the data (`labels.max() + 1`):
# under `jit` the data is not known yet. Without `static_argnames` the shape-deciding argument is traced too,
# and a traced value cannot be a shape:
#
# ```python
# >>> jax.jit(lambda n: jnp.zeros(n))(3)
# Traceback (most recent call last):
# TypeError: Shapes must be 1D sequences of concrete values of integer type, got (JitTracer(~int32[]),).
# >>> jax.jit(lambda n: jnp.zeros(n), static_argnames="n")(n=3)
# Array([0., 0., 0.], dtype=float32)
# ```

# %%
def make_one_hot():
    """Task gotchas.make_one_hot: build a compiled one-hot encoder and return it.

    Return ``encode``, a function compiled with ``jax.jit`` in which ``num_classes`` is static, such that
    ``encode(labels, num_classes=k)`` (``num_classes`` may also be passed by position) returns a float32
    array of shape ``(n, k)`` whose row ``r`` is 1.0 in column ``labels[r]`` and 0.0 elsewhere. A label
    outside ``[0, k)`` (negative, or ``k`` and above) gives an all-zero row. ``labels`` is an int32 array
    of shape ``(n,)``; ``k >= 1``. Each new ``k`` may compile a new version; the same ``k`` must not.

    Returns:
        The jitted ``encode`` function (it has ``encode.lower``, like every function ``jax.jit`` returns).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
