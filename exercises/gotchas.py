# Generated from solutions/gotchas.py (sha256 63f774aa0e26) by `python -m autograder build`. Do not edit: edit the master and rebuild.
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

    Hint:
        Do not touch globals or the dict you were given: compute count + 1 and total + x and return a new dict.
        Docs: https://docs.jax.dev/en/latest/stateful-computations.html
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
        x: a JAX or NumPy array with at least one dimension.
        i, j: row indices (Python ints or traced integer scalars: it must work under ``jax.jit``);
            ``i == j`` is allowed.

    Returns:
        A new array; ``x`` itself is unchanged.

    Hint:
        Read both rows from the original array before writing either, then chain two .at[].set calls.
        Docs: https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html
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
        idx: an integer array of any shape. Values outside ``[0, length)`` (negative ones too) are
            ignored: they are not counted anywhere.
        length: number of bins (a Python int).

    Returns:
        An int32 array of shape ``(length,)``. Must work under ``jax.jit`` (with ``length`` static).

    Hint:
        zeros(length).at[idx].add(1) counts duplicates, but a negative index wraps to the end: send invalid indices
        to `length` (which scatter drops, with mode="drop") using jnp.where.
        Docs: https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html#out-of-bounds-indexing
    """
    # YOUR CODE HERE
    raise NotImplementedError()


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
        fill: the value returned for out-of-bounds indices (a Python float, not traced).

    Returns:
        An array shaped like ``idx`` with the dtype of ``x``. Must work under ``jax.jit`` and ``jax.vmap``.

    Hint:
        x[7] on a length-7 array quietly returns x[6]. Compute a boolean mask of valid indices (-n <= i < n), gather
        with a safe index, and use jnp.where(mask, gathered, fill).
        Docs: https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html#out-of-bounds-indexing
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Gotcha 4: non-array inputs
#
# `jnp.sum([1, 2, 3])` raises `TypeError`: JAX functions refuse Python lists and tuples, because tracing a
# list would create one tracer per element. Convert once, at the boundary, with `jnp.asarray`.

# %%
def weighted_average(values, weights) -> jax.Array:
    """Task gotchas.weighted_average: ``sum(w * v) / sum(w)``.

    Args:
        values, weights: 1-D sequences of equal length: Python lists, tuples, NumPy arrays or JAX
            arrays, with int or float entries.

    Returns:
        A float32 scalar ``jax.Array``.

    Hint:
        jnp.sum([1, 2]) raises TypeError. Call jnp.asarray(values, jnp.float32) on both inputs first.
        Docs: https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html#non-array-inputs-numpy-vs-jax
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
    """Task gotchas.dropout_masks: ``n`` independent random keep-masks.

    Args:
        key: a PRNG key (``jax.random.key``). Each key may be used once: split it.
        n: number of masks.
        shape: shape of one mask.
        keep_prob: probability that an entry is True (kept).

    Returns:
        A boolean array of shape ``(n, *shape)`` whose ``n`` masks are independent draws. The same key
        gives the same masks.

    Hint:
        jax.random.split(key, n) gives n subkeys; draw one mask from each with jax.random.bernoulli(subkey, keep_prob, shape).
        Docs: https://docs.jax.dev/en/latest/random-numbers.html
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
# A trap inside the trap: `jnp.where` computes *both* branches. If one of them is `log(0)`, its gradient is
# `nan` and `0 * nan` is still `nan`. Feed the unused branch a harmless value (the "double where").

# %%
def soft_clip(x: jax.Array) -> jax.Array:
    """Task gotchas.soft_clip: elementwise ``x`` where ``|x| <= 1``, else ``sign(x) * (1 + log|x|)``.

    Args:
        x: a float array of any shape.

    Returns:
        An array like ``x``. Must work under ``jax.jit`` and ``jax.vmap``, and ``jax.grad`` of its sum
        must be finite everywhere, at ``x == 0`` too.

    Hint:
        jnp.where(outside, tail, x) chooses elementwise. log must never see 0, even in the branch that is not chosen:
        compute safe = jnp.where(outside, |x|, 1.0) and take log(safe).
        Docs: https://docs.jax.dev/en/latest/faq.html#gradients-contain-nan-where-using-where
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
def collatz_steps(n: jax.Array) -> jax.Array:
    """Task gotchas.collatz_steps: how many Collatz steps take ``n`` to 1.

    One step maps ``n`` to ``n // 2`` if ``n`` is even, else to ``3 * n + 1``. ``collatz_steps(1) == 0``
    and ``collatz_steps(6) == 8``.

    Args:
        n: a positive int32 scalar (possibly traced: it must work under ``jax.jit`` and ``jax.vmap``).

    Returns:
        An int32 scalar.

    Hint:
        Carry a tuple (value, steps); cond_fun returns value != 1, body_fun does one step and adds 1 to steps.
        Docs: https://docs.jax.dev/en/latest/_autosummary/jax.lax.while_loop.html
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
def ema(xs: jax.Array, decay: float) -> jax.Array:
    """Task gotchas.ema: exponential moving average along the first axis.

    ``s[0] = xs[0]`` and ``s[t] = decay * s[t-1] + (1 - decay) * xs[t]``.

    Args:
        xs: a float array of shape ``(T, ...)``, ``T >= 1``.
        decay: a float in ``[0, 1]``.

    Returns:
        ``s``, shaped like ``xs``. The compiled program must not grow with ``T`` (no Python loop over
        time steps), and ``jax.grad`` must flow through it.

    Hint:
        lax.scan(step, xs[0], xs[1:]) with step(prev, x) -> (new, new); then put xs[0] in front of the outputs.
        Docs: https://docs.jax.dev/en/latest/_autosummary/jax.lax.scan.html
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# Shapes must be known when tracing. An argument that decides a shape, like the number of classes below,
# must be **static**: `jax.jit(one_hot, static_argnames="num_classes")`. Each new static value compiles
# a new version (a retrace), which is fine for a handful of values. Never derive a shape from the data
# (`labels.max() + 1`): under `jit` the data is not known yet.

# %%
def one_hot(labels: jax.Array, num_classes: int) -> jax.Array:
    """Task gotchas.one_hot: one-hot encode integer labels.

    Args:
        labels: an int array of shape ``(n,)``. A label outside ``[0, num_classes)`` gives an all-zero row.
        num_classes: the number of classes (a Python int; static under ``jax.jit``).

    Returns:
        A float32 array of shape ``(n, num_classes)``. Must work as
        ``jax.jit(one_hot, static_argnames="num_classes")``.

    Hint:
        Compare labels[:, None] with jnp.arange(num_classes)[None, :] and cast to float32; labels outside the range
        match nothing, which gives a zero row.
        Docs: https://docs.jax.dev/en/latest/jit-compilation.html#marking-arguments-as-static
    """
    # YOUR CODE HERE
    raise NotImplementedError()
