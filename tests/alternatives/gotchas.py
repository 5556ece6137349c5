"""Correct-but-different solutions for topic `gotchas`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/gotchas.py), so
the checks are shown to test behaviour, not the reference's incidental choices.
"""
import jax
import jax.numpy as jnp
from jax import lax


def running_mean_step(state, x):
    # dict(state, ...) copies; int32 increment spelled differently.
    new = dict(state, count=state["count"] + jnp.ones((), jnp.int32), total=jnp.add(state["total"], x))
    return new, new["total"] / new["count"].astype(jnp.float32)


def swap_rows(x, i, j):
    # Permute with an index vector instead of two .at[].set calls.
    x = jnp.asarray(x)
    order = jnp.arange(x.shape[0]).at[i].set(j).at[j].set(i)
    return x[order]


def bincount(idx, length):
    # Compare every index with every bin: out-of-range indices match no bin.
    return jnp.sum(jnp.ravel(idx)[:, None] == jnp.arange(length)[None, :], axis=0).astype(jnp.int32)


def safe_take(x, idx, fill):
    # Normalise negatives, send everything invalid past the end, and let mode="fill" fill it.
    n = x.shape[0]
    position = jnp.where(idx < 0, idx + n, idx)
    position = jnp.where((position < 0) | (position >= n), n, position)
    return x.at[position].get(mode="fill", fill_value=fill)


def weighted_average(values, weights):
    return jnp.average(jnp.asarray(values, jnp.float32), weights=jnp.asarray(weights, jnp.float32))


def dropout_masks(key, n, shape, keep_prob):
    # vmap over the subkeys, and bernoulli spelled as a uniform draw below keep_prob (what bernoulli does).
    return jax.vmap(lambda subkey: jax.random.uniform(subkey, shape) < keep_prob)(jax.random.split(key, n))


def soft_clip(x):
    # maximum instead of the inner where: log never sees a value below 1.
    magnitude = jnp.abs(x)
    return jnp.where(magnitude > 1, jnp.sign(x) * (1 + jnp.log(jnp.maximum(magnitude, 1.0))), x)


def collatz_steps(n):
    def body(state):
        value, steps = state[0], state[1]
        value = lax.cond(value % 2 == 0, lambda v: v // 2, lambda v: 3 * v + 1, value)
        return jnp.stack([value, steps + 1])

    return lax.while_loop(lambda s: s[0] > 1, body, jnp.stack([jnp.asarray(n, jnp.int32), jnp.int32(0)]))[1]


def ema(xs, decay):
    # fori_loop with static bounds writing into a preallocated output (it lowers to a scan).
    def body(t, out):
        return out.at[t].set(decay * out[t - 1] + (1 - decay) * xs[t])

    return lax.fori_loop(1, xs.shape[0], body, xs)


def make_one_hot():
    # The library's one_hot, with the positional index of num_classes marked static instead of its name.
    return jax.jit(lambda labels, num_classes: jax.nn.one_hot(labels, num_classes, dtype=jnp.float32),
                   static_argnums=1)
