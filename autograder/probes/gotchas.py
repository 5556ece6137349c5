"""Probes for topic `gotchas`. Each returns plain data; the verdicts live in autograder/checks."""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from autograder.probing import changed_globals, count_equations, primitive_names


def _state(shape=(), count=0, total=None):
    total = np.zeros(shape, np.float32) if total is None else total
    return {"count": jnp.asarray(count, jnp.int32), "total": jnp.asarray(total, jnp.float32)}


def running_mean_sequence(impl, rng):
    """running_mean_step folded over 6 random observations gives the running means"""
    xs = rng.normal(size=(6, 3)).astype(np.float32)
    state, means = _state((3,)), []
    for x in xs:
        state, mean = impl.running_mean_step(state, jnp.asarray(x))
        means.append(mean)
    return {"means": jnp.stack(means), "count": state["count"], "total": state["total"]}


def running_mean_purity(impl, rng):
    """running_mean_step is pure (no globals touched, input state untouched, repeatable)"""
    count = int(rng.integers(1, 5))
    total = rng.normal(size=(2,)).astype(np.float32)
    state = _state((2,), count, total)
    original = dict(state)
    x = jnp.asarray(rng.normal(size=(2,)).astype(np.float32))
    results = []
    touched = changed_globals(impl, lambda: results.append(impl.running_mean_step(state, x)))
    results.append(impl.running_mean_step(state, x))
    intact = set(state) == set(original) and all(state[k] is original[k] for k in original)
    return {"changed_globals": touched, "input_state_intact": intact,
            "first_mean": results[0][1], "second_mean": results[1][1]}


def running_mean_scan_and_jit(impl, rng):
    """running_mean_step runs inside lax.scan and jax.jit, traced once for same-shaped inputs"""
    xs = jnp.asarray(rng.normal(size=(5, 2)).astype(np.float32))
    _, scan_means = jax.lax.scan(impl.running_mean_step, _state((2,)), xs)
    traces = [0]

    def counted(state, x):
        traces[0] += 1
        return impl.running_mean_step(state, x)

    step = jax.jit(counted)
    state = _state((2,))
    for x in xs[:3]:
        state, jit_mean = step(state, x)
    return {"scan_means": scan_means, "jit_mean": jit_mean, "traces": traces[0]}


def swap_rows_values(impl, rng):
    """swap_rows swaps rows eagerly, under jax.jit with traced indices, and for i == j"""
    x = rng.normal(size=(5, 3)).astype(np.float32)
    i, j = (int(v) for v in rng.choice(5, size=2, replace=False))
    jitted = jax.jit(impl.swap_rows)
    eager = np.asarray(impl.swap_rows(jnp.asarray(x), i, j))
    return {"eager": eager, "returned_input_unchanged": bool(np.array_equal(eager, x)),
            "rows_now_equal": bool(eager.shape == x.shape and np.array_equal(eager[i], eager[j])),
            "jit": jitted(jnp.asarray(x), jnp.int32(j), jnp.int32(i)),
            "same_row": impl.swap_rows(jnp.asarray(x), i, i)}


def swap_rows_input_untouched(impl, rng):
    """swap_rows leaves a NumPy input array unchanged"""
    x = rng.normal(size=(4, 2)).astype(np.float32)
    before = x.copy()
    out = impl.swap_rows(x, 0, 3)
    return {"input_unchanged": bool(np.array_equal(x, before)), "out": out}


def bincount_values(impl, rng):
    """bincount counts duplicates and ignores out-of-range indices, eagerly and under jax.jit"""
    length = int(rng.integers(4, 9))
    flat = rng.integers(-length - 2, length + 3, size=40).astype(np.int32)
    grid = rng.integers(-2, length + 2, size=(3, 5)).astype(np.int32)
    jitted = jax.jit(partial(impl.bincount, length=length))
    return {"flat": impl.bincount(jnp.asarray(flat), length), "grid_jit": jitted(jnp.asarray(grid))}


def safe_take_values(impl, rng):
    """safe_take returns x[idx] for valid indices and the fill value otherwise, under jit and vmap too"""
    n = 7
    x = jnp.asarray(rng.normal(size=n).astype(np.float32))
    fill = float(np.float32(rng.normal() * 10))
    edges = np.array([-n - 1, -n, -1, 0, n - 1, n, n + 5], np.int32)
    random_idx = rng.integers(-2 * n, 2 * n, size=(4, 6)).astype(np.int32)
    return {"edges": impl.safe_take(x, jnp.asarray(edges), fill),
            "jit": jax.jit(lambda v, i: impl.safe_take(v, i, fill))(x, jnp.asarray(random_idx)),
            "vmap": jax.vmap(lambda i: impl.safe_take(x, i, fill))(jnp.asarray(random_idx))}


def weighted_average_inputs(impl, rng):
    """weighted_average accepts lists, tuples, NumPy and JAX arrays, and works under jax.jit"""
    values = rng.integers(-5, 10, size=6)
    weights = rng.uniform(0.5, 2.0, size=6).astype(np.float32)
    return {"lists": impl.weighted_average([int(v) for v in values], [float(w) for w in weights]),
            "tuples": impl.weighted_average(tuple(float(v) for v in values), tuple(int(w * 4) for w in weights)),
            "numpy": impl.weighted_average(values.astype(np.float32), weights),
            "jit": jax.jit(impl.weighted_average)(jnp.asarray(values, jnp.float32), jnp.asarray(weights))}


def dropout_mask_properties(impl, rng):
    """dropout_masks draws independent, reproducible masks without reusing a key"""
    n, shape, keep = 4, (8, 25), float(rng.uniform(0.3, 0.8))
    seed = int(rng.integers(2**31))
    reuse_error = None
    try:
        with jax.debug_key_reuse(True):
            masks = impl.dropout_masks(jax.random.key(seed), n, shape, keep)
    except jax.errors.KeyReuseError as exc:
        reuse_error = str(exc).splitlines()[0][:200]
        masks = impl.dropout_masks(jax.random.key(seed), n, shape, keep)
    again = impl.dropout_masks(jax.random.key(seed), n, shape, keep)
    other = impl.dropout_masks(jax.random.key(seed + 1), n, shape, keep)
    masks, again, other = np.asarray(masks), np.asarray(again), np.asarray(other)
    flat = masks.reshape(n, -1)
    distinct = len({row.tobytes() for row in flat})
    return {"shape": list(masks.shape), "dtype": str(masks.dtype), "key_reuse_error": reuse_error,
            "distinct_masks": distinct, "reproducible": bool(np.array_equal(masks, again)),
            "other_key_differs": not bool(np.array_equal(masks, other)),
            "keep_rate": float(masks.mean()), "keep_prob": keep, "entries": int(masks.size)}


def soft_clip_values_and_gradient(impl, rng):
    """soft_clip gives the right values and a finite gradient, eagerly, under jit and under vmap"""
    x = np.concatenate([[0.0, 1.0, -1.0, np.e, -np.e, 0.5], rng.normal(size=10) * 3]).astype(np.float32)
    x = jnp.asarray(x)
    grad = jax.grad(lambda v: jnp.sum(impl.soft_clip(v)))(x)
    return {"eager": impl.soft_clip(x), "jit": jax.jit(impl.soft_clip)(x),
            "vmap": jax.vmap(impl.soft_clip)(x.reshape(4, 4)), "grad": grad}


def collatz_values(impl, rng):
    """collatz_steps counts steps under jax.jit and jax.vmap with a lax loop"""
    ns = rng.integers(1, 300, size=12).astype(np.int32)
    batched = jax.jit(jax.vmap(impl.collatz_steps))(jnp.asarray(ns))
    single = jax.jit(impl.collatz_steps)(jnp.int32(ns[0]))
    prims = primitive_names(jax.make_jaxpr(impl.collatz_steps)(jnp.int32(7)))
    return {"batched": batched, "single": single, "uses_while_loop": "while" in prims}


def ema_values_and_structure(impl, rng):
    """ema matches the recurrence, compiles to a program that does not grow with T, and differentiates"""
    decay = float(np.float32(rng.uniform(0.1, 0.9)))
    xs = jnp.asarray(rng.normal(size=(12, 3)).astype(np.float32))
    weights = jnp.asarray(rng.normal(size=(12, 3)).astype(np.float32))
    short = count_equations(jax.make_jaxpr(lambda v: impl.ema(v, decay))(jnp.zeros((8, 3))))
    long = count_equations(jax.make_jaxpr(lambda v: impl.ema(v, decay))(jnp.zeros((64, 3))))
    grad = jax.grad(lambda v: jnp.sum(impl.ema(v, decay) * weights))(xs)
    return {"values": impl.ema(xs, decay), "jit": jax.jit(impl.ema)(xs, decay),
            "program_grows_with_T": long > short, "grad": grad}


def one_hot_values(impl, rng):
    """one_hot encodes labels (out-of-range ones as zero rows) under jit with a static num_classes"""
    encode = jax.jit(impl.one_hot, static_argnames="num_classes")
    out = {}
    for name, classes in (("first", int(rng.integers(3, 7))), ("second", int(rng.integers(7, 11)))):
        labels = rng.integers(-2, classes + 2, size=15).astype(np.int32)
        out[name] = encode(jnp.asarray(labels), num_classes=classes)
    return out
