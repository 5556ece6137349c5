"""Transformers from scratch: einsum, attention and a small language model.

Learning goals
--------------
- Write tensor contractions with ``jnp.einsum``: batched products, bilinear forms, attention scores, traces.
- Normalise activations with layer normalisation, as Flax's ``LayerNorm`` does (biased variance, epsilon
  inside the square root).
- Compute scaled dot-product attention with a causal mask, and check with ``jax.jacrev`` that no position
  looks at the future.
- Split a projection into heads and merge them back with reshapes and transposes (multi-head attention).
- Encode positions by rotating queries and keys (rotary embeddings), so attention scores depend only on
  the distance between two tokens.
- Turn text into integer tokens (a character-level tokenizer) and cut next-token training batches from a key.
- Write a numerically stable next-token loss averaged over every position, and read it as a perplexity.
- Put it together: a decoder-only Transformer over a parameter pytree, trained with Optax inside
  ``lax.scan``, and sampled token by token with ``lax.scan`` from a key, at any temperature.

Out of scope: subword tokenizers (BPE, WordPiece), key/value caches, dropout, mixed precision, and training at
scale (topics ``pmap`` and ``sharding`` show how to spread a step over devices).
"""

# %%
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

LN_EPS = 1e-5  # the layer-norm epsilon of the language model below

# %% [markdown]
# ## Why plain functions?
#
# Earlier topics built models with Flax (Linen and NNX). Here every layer is a plain function: a dict of
# arrays (the parameters) and an input go in, an array comes out. Nothing is hidden in a module, so each
# line of the math is a line of code you write and can test on its own, and the grader can compare every
# layer with an exact oracle. Parameters are an ordinary pytree: `jax.grad` returns gradients of the same
# shape, and Optax updates them (topic `pytrees`). The end of this notebook shows how to wrap the finished
# model in an NNX module if you prefer one.
#
# ## einsum: name the axes, and the contraction writes itself
#
# `jnp.einsum(spec, *operands)` labels every axis of every operand with a letter. A letter that appears in the
# output after `->` is kept, in the order written there; a letter that appears in the inputs but not in the
# output is summed over. A letter repeated within one operand walks along its diagonal.
#
# ```python
# >>> a = jnp.arange(6.0).reshape(2, 3)
# >>> b = jnp.arange(12.0).reshape(3, 4)
# >>> bool(jnp.array_equal(jnp.einsum("ij,jk->ik", a, b), a @ b))    # a matrix product: j is summed
# True
# >>> jnp.einsum("ij->ji", a).shape                                   # nothing summed: a transpose
# (3, 2)
# >>> jnp.einsum("ij->", a), jnp.einsum("ij->j", a)                   # sum all, sum over i
# (Array(15., dtype=float32), Array([3., 5., 7.], dtype=float32))
# >>> jnp.einsum("ii->i", jnp.arange(9.0).reshape(3, 3))              # the diagonal
# Array([0., 4., 8.], dtype=float32)
# ```
#
# Batch axes are letters that appear everywhere, including the output. Three operands are fine too: the
# contraction order is chosen for you (`optimize=True` by default).
#
# ```python
# >>> x, y = jnp.ones((5, 2)), jnp.ones((5, 3))
# >>> jnp.einsum("bi,ij,bj->b", x, jnp.ones((2, 3)), y)               # one bilinear form per row
# Array([6., 6., 6., 6., 6.], dtype=float32)
# ```

# %%
def einsum_drills(a, b, x, w, y, q, k, m) -> dict:
    """Task transformer.einsum_drills: four contractions, each written as one ``jnp.einsum``.

    Args:
        a: float32 array of shape ``(B, n, r)``; b: float32 array of shape ``(B, r, p)``.
        x: float32 array of shape ``(C, i)``; w: float32 array of shape ``(i, j)``; y: float32 array of
            shape ``(C, j)``.
        q: float32 array of shape ``(N, T, H, d)``; k: float32 array of shape ``(N, S, H, d)`` (queries and keys
            of ``H`` attention heads, sequences of length ``T`` and ``S``).
        m: float32 array of shape ``(M, s, s)``.
        Every size is at least 1: batches of one, one head, ``T == 1``, ``S == T`` and ``S != T`` all occur.

    Returns:
        A dict of four float32 arrays:

        - ``"batched_matmul"``: shape ``(B, n, p)``, entry ``[c]`` the matrix product of ``a[c]`` and ``b[c]``;
        - ``"bilinear"``: shape ``(C,)``, entry ``[c]`` the bilinear form ``x[c] . (w y[c])``;
        - ``"scores"``: shape ``(N, H, T, S)``, entry ``[c, h, t, s]`` the dot product of ``q[c, t, h]`` and
          ``k[c, s, h]`` (unscaled attention scores, one ``T x S`` matrix per example and head);
        - ``"trace"``: shape ``(M,)``, entry ``[c]`` the trace of ``m[c]``.

    Rules: compute each of the four with ``jnp.einsum`` (one call each). Do not use the ``@`` operator,
    ``jnp.matmul``, ``jnp.dot``, ``jnp.tensordot``, ``jnp.inner``, ``jnp.vdot``, ``jnp.outer``, ``jnp.trace``,
    ``jnp.diagonal``, ``jnp.linalg``'s products, ``jax.lax.dot_general``, ``jax.lax.dot`` or
    ``jax.lax.batch_matmul``. Must work under ``jax.jit``.
    """
    ### BEGIN SOLUTION
    return {
        "batched_matmul": jnp.einsum("bnr,brp->bnp", a, b),
        # Three operands in one call; c survives as the batch axis, i and j are summed.
        "bilinear": jnp.einsum("ci,ij,cj->c", x, w, y),
        # The output order (example, head, query, key) is the layout attention needs next.
        "scores": jnp.einsum("cthd,cshd->chts", q, k),
        "trace": jnp.einsum("cii->c", m),
    }
    ### END SOLUTION


# %% checks="transformer.einsum_drills"
def test_einsum_drills_small_example():
    a = jnp.arange(12.0).reshape(2, 2, 3)
    b = jnp.arange(12.0).reshape(2, 3, 2)
    x, w, y = jnp.array([[1.0, 2.0]]), jnp.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]), jnp.array([[1.0, 1.0, 1.0]])
    q, k = jnp.ones((1, 2, 1, 3)), jnp.arange(9.0).reshape(1, 3, 1, 3)
    m = jnp.arange(18.0).reshape(2, 3, 3)
    got = einsum_drills(a, b, x, w, y, q, k, m)
    assert jnp.allclose(got["batched_matmul"], jnp.stack([a[0] @ b[0], a[1] @ b[1]])), (
        f"batched_matmul is\n{got['batched_matmul']}\nexpected a[c] @ b[c] for each c")
    assert jnp.allclose(got["bilinear"], jnp.array([5.0])), f"bilinear is {got['bilinear']}, expected [5.]"
    assert got["scores"].shape == (1, 1, 2, 3), f"scores has shape {got['scores'].shape}, expected (1, 1, 2, 3)"
    assert jnp.allclose(got["scores"][0, 0], jnp.array([[3.0, 12.0, 21.0]] * 2)), f"scores are {got['scores']}"
    assert jnp.allclose(got["trace"], jnp.array([12.0, 39.0])), f"trace is {got['trace']}, expected [12., 39.]"


# %% [markdown]
# ## Layer normalisation
#
# A Transformer normalises each token's feature vector on its own: subtract the mean of its `F` features,
# divide by the standard deviation, then scale and shift feature by feature with learned `scale` and `bias`:
#
# $$\mathrm{LN}(x) = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} \cdot \mathrm{scale} + \mathrm{bias},\qquad
# \mu = \frac{1}{F}\sum_f x_f,\quad \sigma^2 = \frac{1}{F}\sum_f (x_f - \mu)^2.$$
#
# The variance is the *biased* one (divided by `F`, which is what `jnp.var` computes by default, `ddof=0`), and
# `epsilon` sits *inside* the square root, so a row whose features are all equal gives `bias`, not NaN. That is
# exactly Flax's `LayerNorm` (its default `epsilon` is `1e-6`):
#
# ```python
# >>> from flax import nnx
# >>> x = jnp.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
# >>> jnp.var(jnp.array([1.0, 2.0, 4.0])), jnp.var(jnp.array([1.0, 2.0, 4.0]), ddof=1)
# (Array(1.5555555, dtype=float32), Array(2.3333333, dtype=float32))
# >>> mean = jnp.mean(x, axis=-1, keepdims=True)
# >>> mine = (x - mean) / jnp.sqrt(jnp.var(x, axis=-1, keepdims=True) + 0.1)
# >>> mine
# Array([[-1.0362556, -0.259064 ,  1.2953193],
#        [ 0.       ,  0.       ,  0.       ]], dtype=float32)
# >>> norm = nnx.LayerNorm(3, epsilon=0.1, rngs=nnx.Rngs(0))     # scale 1 and bias 0 at initialisation
# >>> bool(jnp.allclose(norm(x), mine, atol=1e-6))
# True
# >>> norm.epsilon, nnx.LayerNorm(3, rngs=nnx.Rngs(0)).epsilon
# (0.1, 1e-06)
# ```
#
# Flax computes the variance as the mean of the squares minus the squared mean (`use_fast_variance=True`, its
# default): the same number, rounded a little differently in float32.
#
# ```python
# >>> norm.use_fast_variance, norm(x)[0, 0], mine[0, 0]
# (True, Array(-1.0362558, dtype=float32), Array(-1.0362556, dtype=float32))
# ```
#
# `jax.nn.standardize` does the normalising part for you; write it yourself here.

# %%
def layer_norm(x: jax.Array, scale: jax.Array, bias: jax.Array, eps: float) -> jax.Array:
    """Task transformer.layer_norm: normalise each feature vector (the last axis), then scale and shift it.

    For each vector ``v`` along the last axis: ``(v - mean(v)) / sqrt(var(v) + eps) * scale + bias``, where
    ``var`` is the biased variance (the mean of the squared deviations, divided by the number of features ``F``).

    Args:
        x: a float32 array of shape ``(..., F)`` with any number of leading axes; ``F >= 1`` (``F == 1``
            included: the result is then ``bias``). Rows whose features are all equal occur (variance 0: the
            result is ``bias``, never NaN).
        scale, bias: float32 arrays of shape ``(F,)``.
        eps: a Python float, ``1e-6 <= eps <= 1``.

    Returns:
        A float32 array shaped like ``x``: what Flax's ``nnx.LayerNorm(F, epsilon=eps)`` returns with these
        ``scale`` and ``bias``. Must work under ``jax.jit`` and ``jax.vmap``.

    Rules: do not call ``jax.nn.standardize`` or Flax's ``LayerNorm``.
    """
    ### BEGIN SOLUTION
    mean = jnp.mean(x, axis=-1, keepdims=True)
    # Biased variance (divide by F), and eps inside the root: a constant row gives 0 / sqrt(eps) = 0.
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) * lax.rsqrt(var + eps) * scale + bias
    ### END SOLUTION


# %% checks="transformer.layer_norm"
def test_layer_norm_matches_the_formula():
    x = jnp.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    got = layer_norm(x, jnp.array([1.0, 2.0, 0.5]), jnp.array([0.0, 1.0, -1.0]), 0.1)
    expected = jnp.array([[-1.0362556, 0.48187202, -0.35234034], [0.0, 1.0, -1.0]])
    assert jnp.allclose(got, expected, atol=1e-5), f"layer_norm returned\n{got}\nexpected\n{expected}"


def test_layer_norm_of_one_feature_is_the_bias():
    got = layer_norm(jnp.array([[5.0], [-2.0]]), jnp.array([3.0]), jnp.array([0.25]), 1e-5)
    assert jnp.allclose(got, 0.25), f"layer_norm of a single feature returned {got.ravel()}, expected the bias 0.25"


# %% [markdown]
# ## Attention
#
# Each position `t` of a sequence has a query `q_t`, a key `k_t` and a value `v_t` (rows of three matrices).
# Attention mixes the values with weights that say how well each key matches the query:
#
# $$\mathrm{out}_t = \sum_s w_{ts} v_s,\qquad w_{t\cdot} = \mathrm{softmax}_s\!\left(\frac{q_t \cdot k_s}{\sqrt{d}}\right).$$
#
# Why divide by $\sqrt d$? For random unit-variance vectors the dot product has variance `d`, so without the
# scale the softmax saturates as `d` grows. Divided by $\sqrt d$ the scores keep unit variance:
#
# ```python
# >>> qs, ks = jax.random.normal(jax.random.key(0), (2, 10_000, 64))
# >>> dots = jnp.einsum("nd,nd->n", qs, ks)
# >>> round(float(jnp.std(dots)), 1), round(float(jnp.std(dots / jnp.sqrt(64.0))), 1)
# (8.0, 1.0)
# ```
#
# A language model predicts token `t + 1` from tokens `0 .. t`, so position `t` must not look at later
# positions: a **causal mask** sets their scores to `-inf` *before* the softmax, where they become weight 0.
# `jnp.tril` builds the lower triangle (the diagonal included: a token sees itself). A row with nothing
# allowed would be all `-inf`, and its softmax is NaN.
#
# ```python
# >>> jnp.tril(jnp.ones((3, 3), dtype=bool))
# Array([[ True, False, False],
#        [ True,  True, False],
#        [ True,  True,  True]], dtype=bool)
# >>> jax.nn.softmax(jnp.array([1.0, 2.0, -jnp.inf]))
# Array([0.26894143, 0.7310586 , 0.        ], dtype=float32)
# >>> jax.nn.softmax(jnp.array([-jnp.inf, -jnp.inf]))
# Array([nan, nan], dtype=float32)
# ```
#
# JAX ships the whole thing as `jax.nn.dot_product_attention` (layout: batch, time, heads, features), with
# `is_causal=True` for the mask. Writing it yourself is the point here; the grader compares with it:
#
# ```python
# >>> q, k, v = jax.random.normal(jax.random.key(1), (3, 1, 4, 1, 8))     # batch 1, T = 4, 1 head, d = 8
# >>> weights = jax.nn.softmax(jnp.where(jnp.tril(jnp.ones((4, 4), bool)),
# ...                                    q[0, :, 0] @ k[0, :, 0].T / jnp.sqrt(8.0), -jnp.inf), axis=-1)
# >>> mine = weights @ v[0, :, 0]
# >>> bool(jnp.allclose(mine, jax.nn.dot_product_attention(q, k, v, is_causal=True)[0, :, 0], atol=1e-6))
# True
# ```

# %%
def causal_attention(q: jax.Array, k: jax.Array, v: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Task transformer.causal_attention: scaled dot-product attention in which no position sees the future.

    Args:
        q, k: float32 arrays of shape ``(..., T, d)``: queries and keys, with any number of leading (batch)
            axes, none included. ``T >= 1`` (``T == 1`` included), ``d >= 1``.
        v: a float32 array of shape ``(..., T, dv)`` with the same leading axes; ``dv`` may differ from ``d``.

    Returns:
        ``(out, weights)``:

        - ``weights``: float32, shape ``(..., T, T)``. Row ``t`` is the softmax over ``s`` of the scores
          ``q[..., t, :] . k[..., s, :] / sqrt(d)`` for ``s <= t``, and ``0`` for every ``s > t``: each row sums
          to 1, and the diagonal (a position attending to itself) is allowed.
        - ``out``: float32, shape ``(..., T, dv)``: ``weights @ v``, the weighted average of the value rows.

    Must work under ``jax.jit``, and ``jax.jacrev`` must flow through it: ``out`` at position ``t`` depends on
    ``q``, ``k`` and ``v`` at positions ``0 .. t`` only (its derivatives toward later positions are 0).

    Rules: do not call ``jax.nn.dot_product_attention`` or Flax's attention functions.
    """
    ### BEGIN SOLUTION
    d, length = q.shape[-1], q.shape[-2]
    scores = jnp.einsum("...td,...sd->...ts", q, k) * (1.0 / math.sqrt(d))
    allowed = jnp.tril(jnp.ones((length, length), dtype=bool))
    # Mask before the softmax: -inf scores become weight exactly 0, and each row still sums to 1.
    weights = jax.nn.softmax(jnp.where(allowed, scores, -jnp.inf), axis=-1)
    return jnp.einsum("...ts,...sd->...td", weights, v), weights
    ### END SOLUTION


# %% checks="transformer.causal_attention"
def test_causal_attention_first_position_sees_only_itself():
    q = jnp.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    k = jnp.array([[1.0, 0.0], [0.0, 2.0], [1.0, -1.0]])
    v = jnp.array([[1.0], [2.0], [4.0]])
    out, weights = causal_attention(q, k, v)
    assert weights.shape == (3, 3) and out.shape == (3, 1), f"shapes {out.shape} and {weights.shape}"
    assert jnp.allclose(weights[0], jnp.array([1.0, 0.0, 0.0])), f"row 0 of the weights is {weights[0]}, expected [1, 0, 0]"
    assert jnp.allclose(jnp.triu(weights, 1), 0.0), f"weights above the diagonal must be 0:\n{weights}"
    assert jnp.allclose(weights.sum(-1), 1.0), f"each row of the weights must sum to 1, got {weights.sum(-1)}"
    second = jax.nn.softmax(jnp.array([0.0, 2.0]) / jnp.sqrt(2.0))
    assert jnp.allclose(weights[1, :2], second), f"row 1 is {weights[1]}, expected {second} then 0"
    assert jnp.allclose(out, weights @ v), "out must be weights @ v"


# %% [markdown]
# ## Several heads
#
# One attention pattern per layer is limiting: a token may need to look at the previous word *and* at the
# subject of the sentence. Multi-head attention projects `x` (shape `(B, T, D)`) to queries, keys and values of
# width `H * dh`, splits that width into `H` heads of `dh` features, runs attention in every head at once, and
# concatenates the heads again before a last projection.
#
# The split is a reshape of the **last** axis, `(B, T, H * dh) -> (B, T, H, dh)`: head `h` owns the
# consecutive columns `h * dh .. (h + 1) * dh - 1`. Attention wants `(B, H, T, dh)` (heads as a batch axis), which
# is a transpose, not a reshape. A reshape straight to `(B, H, T, dh)` keeps the numbers in memory order and
# mixes time steps with heads:
#
# ```python
# >>> y = jnp.arange(2 * 3 * 4).reshape(1, 2, 3 * 4)          # B = 1, T = 2, H = 3 heads of dh = 4
# >>> jnp.swapaxes(y.reshape(1, 2, 3, 4), 1, 2)[0, 1]          # head 1: columns 4..7 of each time step
# Array([[ 4,  5,  6,  7],
#        [16, 17, 18, 19]], dtype=int32)
# >>> y.reshape(1, 3, 2, 4)[0, 1]                              # not head 1: pieces of both time steps
# Array([[ 8,  9, 10, 11],
#        [12, 13, 14, 15]], dtype=int32)
# ```
#
# Merging the heads back is the reverse: transpose to `(B, T, H, dh)` first, then reshape to `(B, T, H * dh)`.

# %%
def multi_head_attention(params: dict, x: jax.Array, num_heads: int) -> jax.Array:
    """Task transformer.multi_head_attention: causal multi-head self-attention.

    Args:
        params: ``{"wq", "wk", "wv"}``: float32 arrays of shape ``(D, H * dh)``, and ``"wo"``: float32 of shape
            ``(H * dh, D)``. ``H * dh`` may differ from ``D``.
        x: a float32 array of shape ``(B, T, D)``; ``B >= 1`` and ``T >= 1`` (1 included).
        num_heads: ``H``, a Python int ``>= 1`` (1 included) that divides the width of ``wq``.

    Returns:
        A float32 array of shape ``(B, T, D)``. Head ``h`` takes its queries, keys and values from the columns
        ``h * dh .. (h + 1) * dh - 1`` of ``x @ wq``, ``x @ wk`` and ``x @ wv`` and runs causal attention on
        them (scale ``1 / sqrt(dh)``, as ``causal_attention`` does); the heads' outputs, each ``(B, T, dh)``, are
        concatenated in head order along the last axis (back to width ``H * dh``) and multiplied by ``wo``.

    Must work under ``jax.jit`` (with ``num_heads`` static). ``causal_attention`` (above) may be used.
    """
    ### BEGIN SOLUTION
    batch, length, _ = x.shape

    def split_heads(w):
        # (B, T, H * dh) -> (B, T, H, dh): the last axis splits into heads; then heads become a batch axis.
        return jnp.swapaxes((x @ w).reshape(batch, length, num_heads, -1), 1, 2)

    out, _ = causal_attention(split_heads(params["wq"]), split_heads(params["wk"]), split_heads(params["wv"]))
    # Transpose back to (B, T, H, dh) before merging, or time steps and heads get mixed.
    merged = jnp.swapaxes(out, 1, 2).reshape(batch, length, -1)
    return merged @ params["wo"]
    ### END SOLUTION


# %% checks="transformer.multi_head_attention"
def test_multi_head_attention_with_one_head_is_causal_attention():
    x = jax.random.normal(jax.random.key(0), (2, 3, 4))
    w = jax.random.normal(jax.random.key(1), (4, 4, 4)) / 2.0
    params = {"wq": w[0], "wk": w[1], "wv": w[2], "wo": w[3]}
    got = multi_head_attention(params, x, 1)
    expected = causal_attention(x @ w[0], x @ w[1], x @ w[2])[0] @ w[3]
    assert got.shape == (2, 3, 4), f"multi_head_attention returned shape {got.shape}, expected (2, 3, 4)"
    assert jnp.allclose(got, expected, atol=1e-5), "with one head the result must be causal attention, projected by wo"


def test_multi_head_attention_heads_own_consecutive_columns():
    x = jax.random.normal(jax.random.key(2), (1, 3, 4))
    w = jax.random.normal(jax.random.key(3), (4, 4, 4)) / 2.0
    params = {"wq": w[0], "wk": w[1], "wv": w[2], "wo": w[3]}
    got = multi_head_attention(params, x, 2)
    heads = [causal_attention(x @ w[0][:, c:c + 2], x @ w[1][:, c:c + 2], x @ w[2][:, c:c + 2])[0] for c in (0, 2)]
    expected = jnp.concatenate(heads, axis=-1) @ w[3]
    assert jnp.allclose(got, expected, atol=1e-5), (
        "with two heads of size 2, head 0 must use columns 0-1 and head 1 columns 2-3 of wq, wk and wv")


# %% [markdown]
# ## Where is each token?
#
# Attention itself ignores order: without positions, shuffling the tokens just shuffles the outputs (here
# without the causal mask, which is itself a statement about order).
#
# ```python
# >>> tokens = jax.random.normal(jax.random.key(2), (1, 5, 1, 4))
# >>> order = jnp.array([3, 0, 4, 1, 2])
# >>> attend = lambda t: jax.nn.dot_product_attention(t, t, t)
# >>> bool(jnp.allclose(attend(tokens[:, order]), attend(tokens)[:, order], atol=1e-6))
# True
# ```
#
# The original Transformer *adds* a fixed pattern of sines and cosines of different frequencies to each token's
# features; GPT-2 adds a learned vector per position (the model at the end of this notebook does that).
# **Rotary embeddings** (RoPE, used by most recent language models) instead *rotate* the query and the key of
# the token at position `p`: the features are taken in pairs `(x_i, x_{i + d/2})`, and pair `i` is rotated by
# the angle `p * theta_i` with `theta_i = base ** (-2 i / d)`: fast rotations for the first pairs, slow ones for
# the last. A rotation by `a` followed by one by `-b` is a rotation by `a - b`, so the score of a query rotated
# by position `m` with a key rotated by position `n` depends only on `m - n`: attention sees relative positions.
#
# ```python
# >>> def rotate(pair, angle):
# ...     c, s = jnp.cos(angle), jnp.sin(angle)
# ...     return jnp.array([c * pair[0] - s * pair[1], s * pair[0] + c * pair[1]])
# >>> u, v = jnp.array([1.0, 2.0]), jnp.array([0.5, -1.0])
# >>> score = lambda m, n: jnp.dot(rotate(u, 0.3 * m), rotate(v, 0.3 * n))
# >>> bool(jnp.allclose(score(7, 4), score(3, 0))), bool(jnp.allclose(score(7, 4), score(4, 7)))
# (True, False)
# ```

# %%
def rotary_embedding(x: jax.Array, positions: jax.Array, base: float) -> jax.Array:
    """Task transformer.rotary_embedding: rotate pairs of features by angles proportional to the position.

    With ``d`` the size of the last axis (even) and ``half = d // 2``, pair ``i`` (for ``0 <= i < half``) is
    ``(x[..., i], x[..., i + half])`` (the first half of the features with the second half), and at position
    ``p`` it is rotated by the angle ``p * theta_i`` with ``theta_i = base ** (-2 * i / d)``:

    ``out[..., i] = x[..., i] * cos(angle) - x[..., i + half] * sin(angle)``
    ``out[..., i + half] = x[..., i] * sin(angle) + x[..., i + half] * cos(angle)``

    Args:
        x: a float32 array of shape ``(..., T, d)`` (queries or keys), any leading axes; ``d`` even, ``>= 2``;
            ``T >= 1``.
        positions: an int32 array of shape ``x.shape[:-1]``: the position of every token. Rows need not start
            at 0 (a sequence that continues an earlier one), and position 0 leaves a vector unchanged.
        base: a Python float ``> 1`` (10000.0 in most models; other values occur).

    Returns:
        A float32 array shaped like ``x``. Must work under ``jax.jit`` and ``jax.vmap``.
    """
    ### BEGIN SOLUTION
    half = x.shape[-1] // 2
    theta = base ** (-2.0 * jnp.arange(half, dtype=jnp.float32) / x.shape[-1])
    # Each token's own position: positions[..., None] broadcasts against the half frequencies.
    angle = positions[..., None].astype(jnp.float32) * theta
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    first, second = x[..., :half], x[..., half:]
    return jnp.concatenate([first * cos - second * sin, first * sin + second * cos], axis=-1)
    ### END SOLUTION


# %% checks="transformer.rotary_embedding"
def test_rotary_embedding_rotates_pairs():
    x = jnp.array([[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]])    # pairs (x0, x2) and (x1, x3)
    got = rotary_embedding(x, jnp.array([0, 1]), 100.0)
    assert jnp.allclose(got[0], x[0]), f"position 0 must leave x unchanged, got {got[0]}"
    # Pair 0 turns by 1 radian, pair 1 by 1 / 100 ** (2 / 4) = 0.1 radian.
    expected = jnp.array([jnp.cos(1.0), -jnp.sin(0.1), jnp.sin(1.0), jnp.cos(0.1)])
    assert jnp.allclose(got[1], expected, atol=1e-6), f"position 1 gave {got[1]}, expected {expected}"


def test_rotary_scores_depend_on_the_offset_only():
    q, k = jax.random.normal(jax.random.key(0), (2, 1, 6))
    score = lambda m, n: jnp.sum(rotary_embedding(q, jnp.array([m]), 10000.0) * rotary_embedding(k, jnp.array([n]), 10000.0))
    assert jnp.allclose(score(9, 4), score(5, 0), atol=1e-5), "the score of positions 9 and 4 must equal that of 5 and 0"


# %% [markdown]
# ## Text as integers
#
# A language model reads integers. The simplest tokenizer gives every distinct character of a text its own id:
# sort the characters, number them from 0. The kit generates its own small corpus (nothing is downloaded):
# `make_corpus` strings together random sentences from a tiny grammar, always the same for the same seed.

# %%
SUBJECTS = ("the cat", "a dog", "my friend", "the old man", "she", "he", "the bird", "our teacher")
VERBS = ("sees", "likes", "finds", "follows", "paints", "wants", "hears")
OBJECTS = ("the moon", "a red ball", "the garden", "some bread", "the river", "a small boat", "the stars")
ENDINGS = (".", "!", " today.", " again.", " at night.")


def make_corpus(num_sentences: int = 400, seed: int = 0) -> str:
    """A deterministic toy corpus: ``num_sentences`` random sentences from a tiny grammar, one per line."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(num_sentences):
        subject, verb, obj = (part[rng.integers(len(part))] for part in (SUBJECTS, VERBS, OBJECTS))
        lines.append(f"{subject} {verb} {obj}{ENDINGS[rng.integers(len(ENDINGS))]}")
    return "\n".join(lines) + "\n"


# %% [markdown]
# ```python
# >>> print(make_corpus(3, seed=1), end="")
# the old man follows a small boat at night.
# the cat likes a small boat at night.
# a dog finds the stars today.
# >>> sorted(set("banana"))
# ['a', 'b', 'n']
# ```
#
# `jnp.asarray` of an empty Python list is a float array; say the dtype you want:
#
# ```python
# >>> jnp.asarray([]).dtype, jnp.asarray([], dtype=jnp.int32).shape
# (dtype('float32'), (0,))
# ```

# %%
def char_tokenizer(text: str):
    """Task transformer.char_tokenizer: a character-level tokenizer for ``text``.

    Args:
        text: a non-empty Python str (any Unicode characters, newlines and spaces included).

    Returns:
        ``(chars, encode, decode)``:

        - ``chars``: the distinct characters of ``text`` in sorted order (Python's order for strings), as a
          list of one-character strs. The id of a character is its index in ``chars``.
        - ``encode(s)``: for a str ``s`` made of characters of ``text`` (the empty string included), an int32
          ``jax.Array`` of shape ``(len(s),)`` holding the id of each character in order.
        - ``decode(ids)``: for ids in ``[0, len(chars))`` given as a 1-D JAX array, NumPy array or list of ints,
          the str of their characters, nothing in between; ``decode(encode(s)) == s``.
    """
    ### BEGIN SOLUTION
    chars = sorted(set(text))  # sorted: the same text always gives the same ids
    index = {char: i for i, char in enumerate(chars)}

    def encode(s):
        # The dtype matters for the empty string, whose list has no ints to infer it from.
        return jnp.asarray([index[char] for char in s], dtype=jnp.int32)

    def decode(ids):
        return "".join(chars[int(i)] for i in np.asarray(ids).reshape(-1))

    return chars, encode, decode
    ### END SOLUTION


# %% checks="transformer.char_tokenizer"
def test_char_tokenizer_round_trip():
    chars, encode, decode = char_tokenizer("hello world")
    assert chars == [" ", "d", "e", "h", "l", "o", "r", "w"], f"chars is {chars}, expected the sorted distinct characters"
    ids = encode("hello")
    assert ids.dtype == jnp.int32 and ids.tolist() == [3, 2, 4, 4, 5], f"encode('hello') returned {ids}"
    assert decode(ids) == "hello", f"decode(encode('hello')) returned {decode(ids)!r}"
    assert encode("").shape == (0,), "encode('') must return an empty int32 array"


# %% [markdown]
# ## Next-token batches
#
# A language model learns to predict every next character of a window: the input is `block_size` consecutive
# tokens, the target the same window shifted by one. A window starting at `s` covers `ids[s .. s + block_size]`
# (that is `block_size + 1` tokens: inputs `ids[s .. s + block_size - 1]`, targets `ids[s + 1 .. s + block_size]`), so
# the last possible start is `len(ids) - block_size - 1`. `jax.random.randint` excludes its `maxval`, and
# indexing past the end does not raise in JAX: the read is clamped to the last element (topic `gotchas`).
#
# ```python
# >>> jax.random.randint(jax.random.key(0), (8,), 0, 3)
# Array([1, 0, 2, 1, 2, 0, 0, 2], dtype=int32)
# >>> jnp.arange(5)[jnp.array([3, 4, 5, 6])]
# Array([3, 4, 4, 4], dtype=int32)
# ```

# %%
def next_token_batch(ids: jax.Array, key: jax.Array, batch_size: int, block_size: int):
    """Task transformer.next_token_batch: a random batch of input windows and their next-token targets.

    Draw the window starts with ``jax.random.randint(key, (batch_size,), 0, len(ids) - block_size)`` (every
    start from 0 to ``len(ids) - block_size - 1``, each equally likely). Row ``b`` of the inputs is
    ``ids[s_b : s_b + block_size]`` and row ``b`` of the targets is ``ids[s_b + 1 : s_b + block_size + 1]``.

    Args:
        ids: a 1-D int32 array of token ids, ``len(ids) >= block_size + 1`` (equality included: then every
            start is 0).
        key: a typed PRNG key, used only as described above.
        batch_size, block_size: Python ints ``>= 1`` (1 included).

    Returns:
        ``(x, y)``: two int32 arrays of shape ``(batch_size, block_size)``. Must work under ``jax.jit`` with
        ``batch_size`` and ``block_size`` static; the same key gives the same batch.
    """
    ### BEGIN SOLUTION
    starts = jax.random.randint(key, (batch_size,), 0, ids.shape[0] - block_size)
    window = starts[:, None] + jnp.arange(block_size)[None, :]
    # The targets are the inputs shifted by one: the token that follows each input token.
    return ids[window].astype(jnp.int32), ids[window + 1].astype(jnp.int32)
    ### END SOLUTION


# %% checks="transformer.next_token_batch"
def test_next_token_batch_targets_are_shifted_inputs():
    ids = jnp.arange(100, 120, dtype=jnp.int32)
    x, y = next_token_batch(ids, jax.random.key(0), 4, 5)
    assert x.shape == (4, 5) and y.shape == (4, 5), f"shapes {x.shape} and {y.shape}, expected (4, 5) twice"
    assert jnp.array_equal(y[:, :-1], x[:, 1:]) and jnp.array_equal(y[:, -1], x[:, -1] + 1), (
        f"each target row must be its input row shifted by one token:\nx = {x}\ny = {y}")


def test_next_token_batch_tight_fit_starts_at_zero():
    ids = jnp.array([5, 6, 7, 8], dtype=jnp.int32)
    x, y = next_token_batch(ids, jax.random.key(1), 3, 3)
    assert x.tolist() == [[5, 6, 7]] * 3 and y.tolist() == [[6, 7, 8]] * 3, (
        f"with len(ids) == block_size + 1 every window starts at 0; got x = {x.tolist()}, y = {y.tolist()}")


# %% [markdown]
# ## The loss, and perplexity
#
# The model returns *logits*, one unnormalised score per vocabulary entry at every position. The loss is the
# cross-entropy: minus the log of the probability the softmax gives to the right next token, averaged over
# every position of every sequence. `log(softmax(z))` overflows for large logits (`exp(1000)` is `inf` in
# float32); `jax.nn.log_softmax` subtracts the maximum first and stays finite:
#
# ```python
# >>> z = jnp.array([1000.0, 0.0])
# >>> jnp.log(jnp.exp(z) / jnp.sum(jnp.exp(z)))
# Array([ nan, -inf], dtype=float32)
# >>> jax.nn.log_softmax(z)
# Array([    0., -1000.], dtype=float32)
# ```
#
# The exponential of the loss is the **perplexity**: as uncertain as choosing uniformly among that many tokens.
# A model that knows nothing spreads its probability evenly over the `V` tokens of the vocabulary, for a loss of
# `log V` and a perplexity of `V`:
#
# ```python
# >>> uniform = jnp.zeros((2, 3, 27))                                 # 27 tokens, all equally likely
# >>> loss = -jnp.mean(jax.nn.log_softmax(uniform)[..., 5])
# >>> round(float(loss), 5), round(math.log(27), 5), round(float(jnp.exp(loss)), 3)   # float32: 7 digits hold
# (3.29584, 3.29584, 27.0)
# ```

# %%
def cross_entropy(logits: jax.Array, targets: jax.Array) -> jax.Array:
    """Task transformer.cross_entropy: the mean next-token cross-entropy over every position.

    Args:
        logits: a float32 array of shape ``(..., V)`` (for example ``(B, T, V)``, or ``(N, V)``): unnormalised
            scores over a vocabulary of ``V`` tokens. Their magnitude may be large (``1e4`` occurs).
        targets: an int32 array of shape ``logits.shape[:-1]`` with values in ``[0, V)``.

    Returns:
        A float32 scalar: the mean over **every** position (every entry of ``targets``, all batch rows and time
        steps alike) of ``-log softmax(logits[position])[targets[position]]``. Finite for any finite logits; must
        work under ``jax.jit``, and ``jax.grad`` with respect to ``logits`` must be finite.

    Rules: do not call Optax's cross-entropy functions.
    """
    ### BEGIN SOLUTION
    log_probs = jax.nn.log_softmax(logits, axis=-1)  # subtracts the max: no overflow for large logits
    picked = jnp.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    return -jnp.mean(picked)  # one mean over every position, not a sum over time
    ### END SOLUTION


# %% checks="transformer.cross_entropy"
def test_cross_entropy_uniform_is_log_v():
    got = cross_entropy(jnp.zeros((2, 3, 7)), jnp.zeros((2, 3), jnp.int32))
    assert jnp.allclose(got, jnp.log(7.0)), f"uniform logits over 7 tokens gave {got}, expected log 7 = {jnp.log(7.0)}"


def test_cross_entropy_large_logits_stay_finite():
    got = cross_entropy(jnp.array([[2000.0, 0.0], [0.0, 2000.0]]), jnp.array([0, 0], jnp.int32))
    assert jnp.isfinite(got) and jnp.allclose(got, 1000.0), f"got {got}, expected (0 + 2000) / 2 = 1000"


# %% [markdown]
# ## A small language model
#
# A decoder-only Transformer (GPT's shape) turns `B` sequences of `T` token ids into logits for the next token at
# every position:
#
# 1. look up a learned vector for each token, and add a learned vector for its position (`0 .. T - 1`, the same
#    for every sequence of the batch);
# 2. repeat a **block**: `x = x + attention(layer_norm(x))`, then `x = x + mlp(layer_norm(x))`. The layer norm
#    comes *first* inside each branch ("pre-LN"), and the branch is *added* to `x` (a residual connection),
#    so gradients reach the first layers undisturbed;
# 3. a final layer norm, then a product with an "unembedding" matrix gives the logits.
#
# `init_lm` makes the parameter pytree, every weight small (standard deviation 0.02): at initialisation the
# logits are nearly equal, and the loss is close to `log V`.

# %%
def init_lm(key: jax.Array, vocab_size: int, d_model: int = 64, num_heads: int = 4, num_layers: int = 2,
            max_len: int = 64, d_ff: int | None = None) -> dict:
    """Parameters of the language model: a pytree of float32 arrays (see ``transformer_lm`` for the layout)."""
    d_ff = 4 * d_model if d_ff is None else d_ff
    shapes = [(vocab_size, d_model), (max_len, d_model), (d_model, vocab_size)]
    shapes += ([(d_model, d_model)] * 4 + [(d_model, d_ff), (d_ff, d_model)]) * num_layers
    # One draw for every weight, cut into pieces: one random program to compile instead of one per shape.
    flat = np.asarray(0.02 * jax.random.normal(key, (sum(math.prod(shape) for shape in shapes),), jnp.float32))
    offsets = np.cumsum([0] + [math.prod(shape) for shape in shapes])
    pieces = iter(jnp.asarray(flat[start:stop].reshape(shape))
                  for start, stop, shape in zip(offsets[:-1], offsets[1:], shapes))

    def normal(*shape):
        piece = next(pieces)
        assert piece.shape == shape
        return piece

    def norm():
        return {"scale": jnp.ones(d_model, jnp.float32), "bias": jnp.zeros(d_model, jnp.float32)}

    embed, pos, unembed = normal(vocab_size, d_model), normal(max_len, d_model), normal(d_model, vocab_size)
    blocks = []
    for _ in range(num_layers):
        blocks.append({
            "ln1": norm(),
            "attn": {"wq": normal(d_model, d_model), "wk": normal(d_model, d_model), "wv": normal(d_model, d_model),
                     "wo": normal(d_model, d_model)},
            "ln2": norm(),
            "mlp": {"w1": normal(d_model, d_ff), "b1": jnp.zeros(d_ff, jnp.float32),
                    "w2": normal(d_ff, d_model), "b2": jnp.zeros(d_model, jnp.float32)},
        })
    assert d_model % num_heads == 0, "d_model must be a multiple of num_heads"
    return {"embed": embed, "pos": pos, "blocks": blocks, "ln_f": norm(), "unembed": unembed}


# %%
def transformer_lm(params: dict, tokens: jax.Array, num_heads: int) -> jax.Array:
    """Task transformer.transformer_lm: the logits of a decoder-only Transformer.

    Args:
        params: a pytree as made by ``init_lm``: ``"embed"`` ``(V, D)``, ``"pos"`` ``(max_len, D)``, ``"blocks"``
            (a list, one dict per layer, possibly a single one), ``"ln_f"`` ``{"scale": (D,), "bias": (D,)}`` and
            ``"unembed"`` ``(D, V)``. Each block holds ``"ln1"`` and ``"ln2"`` (like ``"ln_f"``), ``"attn"`` (the
            parameters of ``multi_head_attention``) and ``"mlp"``: ``"w1"`` ``(D, F)``, ``"b1"`` ``(F,)``,
            ``"w2"`` ``(F, D)``, ``"b2"`` ``(D,)``. All float32.
        tokens: an int32 array of shape ``(B, T)``, ids in ``[0, V)``; ``1 <= T <= max_len``, ``B >= 1``.
        num_heads: the number of attention heads, a Python int.

    Returns:
        float32 logits of shape ``(B, T, V)``, computed as follows (``LN_EPS`` is the layer-norm epsilon):

        1. ``x = embed[tokens] + pos[t]`` for the token at position ``t`` of its sequence (every row of the
           batch starts at position 0);
        2. for each block in order: ``x = x + multi_head_attention(attn, layer_norm(x, ln1), num_heads)``, then
           ``x = x + gelu(layer_norm(x, ln2) @ w1 + b1) @ w2 + b2``, with ``jax.nn.gelu`` (its default, tanh
           approximation);
        3. ``logits = layer_norm(x, ln_f) @ unembed``.

    Must work under ``jax.jit`` (``num_heads`` static). ``layer_norm`` and ``multi_head_attention`` (above) may
    be used.
    """
    ### BEGIN SOLUTION
    length = tokens.shape[-1]
    # Every sequence starts at position 0: the position table broadcasts over the batch.
    x = params["embed"][tokens] + params["pos"][:length]
    for block in params["blocks"]:  # a Python loop over a short list of layers: unrolled once, at trace time
        h = layer_norm(x, block["ln1"]["scale"], block["ln1"]["bias"], LN_EPS)
        x = x + multi_head_attention(block["attn"], h, num_heads)
        h = layer_norm(x, block["ln2"]["scale"], block["ln2"]["bias"], LN_EPS)
        mlp = block["mlp"]
        x = x + jax.nn.gelu(h @ mlp["w1"] + mlp["b1"]) @ mlp["w2"] + mlp["b2"]
    x = layer_norm(x, params["ln_f"]["scale"], params["ln_f"]["bias"], LN_EPS)
    return x @ params["unembed"]
    ### END SOLUTION


# %% checks="transformer.transformer_lm"
def test_transformer_lm_shapes_and_initial_loss():
    params = init_lm(jax.random.key(0), vocab_size=11, d_model=8, num_heads=2, num_layers=2, max_len=8)
    tokens = jax.random.randint(jax.random.key(1), (3, 8), 0, 11)
    logits = jax.jit(transformer_lm, static_argnums=2)(params, tokens, 2)
    assert logits.shape == (3, 8, 11) and logits.dtype == jnp.float32, f"logits {logits.dtype}{logits.shape}"
    loss = cross_entropy(logits[:, :-1], tokens[:, 1:])
    assert abs(float(loss) - math.log(11)) < 0.1, f"the loss at initialisation is {float(loss):.3f}, expected about log 11"


def test_transformer_lm_is_causal():
    params = init_lm(jax.random.key(2), vocab_size=11, d_model=8, num_heads=2, num_layers=2, max_len=8)
    lm = jax.jit(transformer_lm, static_argnums=2)
    first = lm(params, jnp.array([[1, 2, 3, 4]]), 2)
    second = lm(params, jnp.array([[1, 2, 0, 0]]), 2)
    assert jnp.allclose(first[0, :2], second[0, :2], atol=1e-6), "the logits at position t must not depend on later tokens"


# %% [markdown]
# ## Training
#
# Training repeats one step: draw a batch, compute the loss and its gradient, let Optax turn the gradient into
# an update. `lax.scan` runs the steps inside one compiled program; its carry holds the parameters and the
# optimiser state, and it stacks the per-step losses for you. Drawing every step's batch from its own subkey,
# split once from one key, makes the run reproducible: the same key gives the same losses, step by step.
#
# ```python
# >>> optimizer = optax.adam(0.1)
# >>> w = jnp.array([1.0, -2.0])
# >>> state = optimizer.init(w)
# >>> updates, state = optimizer.update(jnp.array([0.5, 0.5]), state, w)
# >>> updates                                   # Adam's first step: about -lr * sign(gradient)
# Array([-0.09999934, -0.09999934], dtype=float32)
# >>> optax.apply_updates(w, updates)
# Array([ 0.9000007, -2.0999994], dtype=float32)
# ```

# %%
def train_lm(params: dict, ids: jax.Array, key: jax.Array, num_heads: int, steps: int, batch_size: int,
             block_size: int, learning_rate: float):
    """Task transformer.train_lm: train the language model with Adam for a fixed number of steps.

    Use ``optimizer = optax.adam(learning_rate)``, its state from ``optimizer.init(params)``, and
    ``keys = jax.random.split(key, steps)``. Step ``i`` (from 0):

    1. ``x, y = next_token_batch(ids, keys[i], batch_size, block_size)``;
    2. the loss ``cross_entropy(transformer_lm(params, x, num_heads), y)`` and its gradient with respect to
       ``params``;
    3. ``updates, state = optimizer.update(grads, state, params)`` and ``params = optax.apply_updates(params,
       updates)``.

    Args:
        params: the model's parameters (as made by ``init_lm``); ``block_size`` is at most its ``max_len``.
        ids: a 1-D int32 array of token ids, ``len(ids) >= block_size + 1``.
        key: a typed PRNG key, used only as described above.
        num_heads, steps, batch_size, block_size: Python ints ``>= 1``.
        learning_rate: a Python float ``> 0``.

    Returns:
        ``(params, losses)``: the parameters after ``steps`` steps (the structure of ``params``), and a float32
        array of shape ``(steps,)`` whose entry ``i`` is the loss of step ``i`` before its update (so
        ``losses[0]`` is the loss of the initial parameters). Must work under ``jax.jit`` (with every argument
        but ``params``, ``ids`` and ``key`` static): no Python conversions of traced values (``float(loss)``).
    """
    ### BEGIN SOLUTION
    optimizer = optax.adam(learning_rate)

    def loss_fn(p, x, y):
        return cross_entropy(transformer_lm(p, x, num_heads), y)

    def step(carry, step_key):
        p, opt_state = carry
        x, y = next_token_batch(ids, step_key, batch_size, block_size)
        loss, grads = jax.value_and_grad(loss_fn)(p, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, p)
        return (optax.apply_updates(p, updates), opt_state), loss  # the loss before this step's update

    # One subkey per step, split once: each step draws a different batch, and the run is reproducible.
    (params, _), losses = lax.scan(step, (params, optimizer.init(params)), jax.random.split(key, steps))
    return params, losses
    ### END SOLUTION


# %% checks="transformer.train_lm"
def test_train_lm_lowers_the_loss():
    text = make_corpus(50)
    chars, encode, _ = char_tokenizer(text)
    params = init_lm(jax.random.key(0), len(chars), d_model=16, num_heads=2, num_layers=1, max_len=8)
    trained, losses = train_lm(params, encode(text), jax.random.key(1), 2, 30, 8, 8, 1e-2)
    assert losses.shape == (30,) and losses.dtype == jnp.float32, f"losses {losses.dtype}{losses.shape}"
    assert abs(float(losses[0]) - math.log(len(chars))) < 0.1, f"losses[0] is {losses[0]}, expected about log V"
    assert float(jnp.mean(losses[-5:])) < float(losses[0]) - 0.5, f"the loss went from {losses[0]} to {losses[-5:]}"
    assert jax.tree.structure(trained) == jax.tree.structure(params), "the trained params changed structure"


# %% [markdown]
# ## Sampling
#
# To generate text, feed a prompt, turn the logits at the **last** position into a probability distribution,
# draw the next token, append it, and repeat. The **temperature** divides the logits first: below 1 it sharpens
# the distribution, above 1 it flattens it, and toward 0 it becomes the argmax (temperature 0 means exactly the
# argmax here). `jax.random.categorical(key, logits)` draws from the softmax of `logits`.
#
# `lax.scan` needs shapes that do not change from step to step, but the sequence grows. A causal model helps:
# the logits at position `t` do not depend on the tokens after `t`, so run it on a fixed-length buffer (the prompt,
# then placeholders) and read the logits at the position just before the one you fill. Whatever the placeholders
# hold cannot change them:
#
# ```python
# >>> lm = init_lm(jax.random.key(0), vocab_size=5, d_model=8, num_heads=2, num_layers=1, max_len=6)
# >>> a = transformer_lm(lm, jnp.array([[1, 2, 3, 0, 0, 0]]), 2)
# >>> b = transformer_lm(lm, jnp.array([[1, 2, 3, 4, 4, 1]]), 2)
# >>> bool(jnp.allclose(a[0, :3], b[0, :3], atol=1e-6)), bool(jnp.allclose(a[0, 3], b[0, 3], atol=1e-6))
# (True, False)
# >>> jax.random.categorical(jax.random.key(3), jnp.array([0.0, 3.0, 1.0]) / 1e-3)   # nearly zero temperature
# Array(1, dtype=int32)
# ```

# %%
def sample(params: dict, prompt: jax.Array, key: jax.Array, num_heads: int, num_tokens: int,
           temperature: float) -> jax.Array:
    """Task transformer.sample: generate ``num_tokens`` tokens after ``prompt``, one at a time, with ``lax.scan``.

    Split ``keys = jax.random.split(key, num_tokens)``. New token ``i`` (from 0) comes from the logits
    ``transformer_lm(params, seq[None], num_heads)[0, -1]`` of ``seq``, the prompt followed by the ``i`` tokens
    generated so far (the logits at its last position): when ``temperature == 0`` it is their argmax, otherwise
    ``jax.random.categorical(keys[i], logits / temperature)``. Each subkey is used once, no other randomness.

    Args:
        params: the model's parameters (as made by ``init_lm``).
        prompt: a 1-D int32 array of ids, length ``P >= 1`` (1 included), ``P + num_tokens <= max_len``.
        key: a typed PRNG key.
        num_heads, num_tokens: Python ints ``>= 1`` (``num_tokens == 1`` included).
        temperature: a Python float ``>= 0`` (0 included).

    Returns:
        The ``num_tokens`` new ids, an int32 array of shape ``(num_tokens,)``.

    Must work under ``jax.jit`` (with every argument but ``params``, ``prompt`` and ``key`` static).

    Rules: loop over the new tokens with ``lax.scan`` (or ``lax.fori_loop``): the traced program must not grow with
    ``num_tokens``. Since the model is causal, it may be run on a fixed-length sequence whose later entries are
    placeholders, reading the logits at position ``P - 1 + i``.
    """
    ### BEGIN SOLUTION
    length = prompt.shape[0]
    buffer = jnp.zeros(length + num_tokens, jnp.int32).at[:length].set(prompt)

    def step(buffer, inputs):
        i, step_key = inputs
        # Causal: the logits at position length - 1 + i ignore the placeholders after it.
        logits = transformer_lm(params, buffer[None], num_heads)[0, length - 1 + i]
        if temperature == 0:  # a Python float: decided once, at trace time
            token = jnp.argmax(logits)
        else:
            token = jax.random.categorical(step_key, logits / temperature)
        token = token.astype(jnp.int32)
        return buffer.at[length + i].set(token), token

    _, tokens = lax.scan(step, buffer, (jnp.arange(num_tokens), jax.random.split(key, num_tokens)))
    return tokens
    ### END SOLUTION


# %% checks="transformer.sample"
def test_sample_greedy_and_reproducible():
    params = init_lm(jax.random.key(0), vocab_size=11, d_model=8, num_heads=2, num_layers=2, max_len=8)
    prompt = jnp.array([1, 2], dtype=jnp.int32)
    sampler = jax.jit(sample, static_argnums=(3, 4, 5))
    tokens = sampler(params, prompt, jax.random.key(1), 2, 4, 1.0)
    assert tokens.shape == (4,) and tokens.dtype == jnp.int32, f"sample returned {tokens.dtype}{tokens.shape}"
    again = sampler(params, prompt, jax.random.key(1), 2, 4, 1.0)
    assert jnp.array_equal(tokens, again), "the same key must give the same tokens"
    greedy = sampler(params, prompt, jax.random.key(1), 2, 1, 0.0)
    expected = jnp.argmax(jax.jit(transformer_lm, static_argnums=2)(params, prompt[None], 2)[0, -1])
    assert int(greedy[0]) == int(expected), f"at temperature 0 the first token is {greedy[0]}, expected the argmax {expected}"


# %% [markdown]
# ## Wrapping it in NNX (optional)
#
# If you prefer a module, NNX can hold the whole parameter pytree as one `nnx.Param`, and `nnx.Optimizer` can
# train it; the math stays in the functions you wrote:
#
# ```python
# >>> from flax import nnx
# >>> class TinyLM(nnx.Module):
# ...     def __init__(self, params, num_heads):
# ...         self.params = nnx.Param(params)
# ...         self.num_heads = num_heads
# ...     def __call__(self, tokens):
# ...         return transformer_lm(self.params.get_value(), tokens, self.num_heads)
# >>> model = TinyLM(init_lm(jax.random.key(0), vocab_size=7, d_model=8, num_heads=2, num_layers=1, max_len=4), 2)
# >>> model(jnp.array([[1, 2, 3]])).shape
# (1, 3, 7)
# ```
#
# ## Watch it learn, and look at the attention
#
# Run the cell below once everything above passes: it trains the model on the generated corpus for a few hundred
# steps (about a minute on a CPU), prints the perplexity on held-out text before and after, samples some text at
# two temperatures, and draws the attention weights of the first layer's heads for a short sentence.

# %%
def plot_attention(weights, labels, path="transformer_attention.png"):
    """Draw attention weights of shape ``(H, T, T)`` (one panel per head) with the tokens as labels; save to path."""
    import matplotlib

    matplotlib.use("Agg")  # render to a file: works in a notebook, a terminal or a grader alike
    import matplotlib.pyplot as plt

    weights = np.asarray(weights)
    fig, axes = plt.subplots(1, weights.shape[0], figsize=(3.2 * weights.shape[0], 3.4), squeeze=False)
    for head, ax in enumerate(axes[0]):
        ax.imshow(weights[head], cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(len(labels)), labels, fontsize=7)
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.set_xlabel("key position")
        ax.set_title(f"head {head}")
    axes[0][0].set_ylabel("query position")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def held_out_perplexity(params, ids, num_heads, block_size):
    """exp(mean next-token loss) over consecutive windows of ``ids``."""
    count = (ids.shape[0] - 1) // block_size
    x = ids[: count * block_size].reshape(count, block_size)
    y = ids[1: count * block_size + 1].reshape(count, block_size)
    return float(jnp.exp(cross_entropy(transformer_lm(params, x, num_heads), y)))


# %%
if __name__ == "__main__":
    try:
        corpus = make_corpus(1200, seed=0)
        chars, encode, decode = char_tokenizer(corpus)
        ids = encode(corpus)
        split = int(0.9 * ids.shape[0])
        train_ids, test_ids = ids[:split], ids[split:]
        heads, block = 4, 32
        params = init_lm(jax.random.key(0), len(chars), d_model=64, num_heads=heads, num_layers=2, max_len=block)
        print(f"vocabulary: {len(chars)} characters; perplexity before training: "
              f"{held_out_perplexity(params, test_ids, heads, block):.2f}")
        params, losses = train_lm(params, train_ids, jax.random.key(1), heads, 600, 32, block, 3e-3)
        print(f"loss {float(losses[0]):.3f} -> {float(losses[-1]):.3f}; held-out perplexity "
              f"{held_out_perplexity(params, test_ids, heads, block):.2f}")
        prompt = encode("the cat ")
        for temp in (0.0, 0.8):
            new = sample(params, prompt, jax.random.key(2), heads, block - prompt.shape[0], temp)
            print(f"temperature {temp}: {decode(prompt) + decode(new)!r}")
        sentence = "she likes the moon."
        tokens = encode(sentence)[None]
        block0 = params["blocks"][0]
        x = params["embed"][tokens] + params["pos"][: tokens.shape[1]]
        h = layer_norm(x, block0["ln1"]["scale"], block0["ln1"]["bias"], LN_EPS)
        split_heads = lambda w: jnp.swapaxes((h @ w).reshape(1, tokens.shape[1], heads, -1), 1, 2)
        _, weights = causal_attention(*(split_heads(block0["attn"][name]) for name in ("wq", "wk", "wv")))
        print("saved", plot_attention(weights[0], list(sentence)))
        try:
            get_ipython  # noqa: B018, F821  (defined only inside IPython and Jupyter)
        except NameError:
            pass
        else:  # in a notebook, show it as well
            from IPython.display import Image, display

            display(Image("transformer_attention.png"))
    except NotImplementedError:
        print("Some tasks are still stubs: finish them, then run this cell again to train the model.")
