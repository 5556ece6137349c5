"""Probes for topic `gotchas`. The verdicts live in autograder/grading/checks/test_gotchas.py.

Each probe draws every argument the student's function receives from ``rng`` (so a hard-coded constant
cannot pass), always includes the edge cases the docstring names, and returns ``result(out=..., report=...,
given=...)``: ``out`` holds only what the student's functions returned.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from autograder.sandbox.probing import changed_globals, count_equations, primitive_names, result, type_name


def _state(count, total):
    return {"count": jnp.asarray(count, jnp.int32), "total": jnp.asarray(total, jnp.float32)}


def _floats(rng, *shape, scale=3.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


# ------------------------------------------------------------------------------------------ running_mean_step
def running_mean_sequence(impl, rng):
    """running_mean_step folded over random observations gives the running means, from a fresh state and from
    one that has already counted some observations"""
    runs = {}
    width = int(rng.integers(2, 5))
    for name, shape, count in (("fresh_scalar", (), 0), ("counted_vector", (width,), int(rng.integers(1, 7)))):
        state = _state(count, _floats(rng, *shape) * count)
        means = []
        for x in _floats(rng, int(rng.integers(1, 6)), *shape):  # one observation is the shortest sequence
            state, mean = impl.running_mean_step(state, jnp.asarray(x))
            means.append(mean)
        runs[name] = {"means": means, "state": state}
    return result(out=runs)


def running_mean_purity(impl, rng):
    """running_mean_step leaves module globals and the state it was given untouched, and repeats itself"""
    shape = (int(rng.integers(1, 4)),)
    state = _state(int(rng.integers(1, 6)), _floats(rng, *shape))
    original = dict(state)
    x = jnp.asarray(_floats(rng, *shape))
    results = []
    touched = changed_globals(impl, lambda: results.append(impl.running_mean_step(state, x)))
    results.append(impl.running_mean_step(state, x))
    intact = set(state) == set(original) and all(state[k] is original[k] for k in original)
    return result(out={"first": results[0], "second": results[1]},
                  report={"changed_globals": touched, "input_state_intact": intact})


def running_mean_scan_and_jit(impl, rng):
    """running_mean_step runs inside lax.scan and jax.jit, traced once for same-shaped inputs"""
    width = int(rng.integers(1, 4))
    xs = jnp.asarray(_floats(rng, int(rng.integers(3, 7)), width))
    start = _state(int(rng.integers(0, 4)), _floats(rng, width))
    final, scan_means = jax.lax.scan(impl.running_mean_step, start, xs)
    traces = [0]

    def counted(state, x):
        traces[0] += 1
        return impl.running_mean_step(state, x)

    step, state, jit_means = jax.jit(counted), start, []
    for x in xs:
        state, mean = step(state, x)
        jit_means.append(mean)
    return result(out={"scan_means": scan_means, "scan_state": final, "jit_means": jit_means, "jit_state": state},
                  report={"traces": traces[0], "calls": int(xs.shape[0])})


# ------------------------------------------------------------------------------------------ swap_rows
def swap_rows_values(impl, rng):
    """swap_rows swaps rows eagerly, under jax.jit with traced indices, for i == j, and on 1-D and int arrays"""
    rows, cols = int(rng.integers(3, 7)), int(rng.integers(1, 4))
    x = _floats(rng, rows, cols)
    i, j = (int(v) for v in rng.choice(rows, size=2, replace=False))
    k = int(rng.integers(rows))
    vector = rng.integers(-50, 50, size=rows).astype(np.int32)
    return result(out={"eager": impl.swap_rows(jnp.asarray(x), i, j),
                       "jit": jax.jit(impl.swap_rows)(jnp.asarray(x), jnp.int32(j), jnp.int32(i)),
                       "same_row": impl.swap_rows(jnp.asarray(x), k, k),
                       "int_vector": impl.swap_rows(jnp.asarray(vector), j, i)},
                  given={"x": x, "i": i, "j": j})


def swap_rows_numpy_input(impl, rng):
    """swap_rows leaves a NumPy input array unchanged"""
    x = _floats(rng, int(rng.integers(3, 6)), 2)
    i, j = (int(v) for v in rng.choice(x.shape[0], size=2, replace=False))
    before = x.copy()
    out = impl.swap_rows(x, i, j)
    return result(out={"out": out}, report={"input_unchanged": bool(np.array_equal(x, before))})


# ------------------------------------------------------------------------------------------ bincount
def bincount_values(impl, rng):
    """bincount counts duplicates and ignores out-of-range indices, eagerly and under jax.jit, for empty
    input and a single bin too"""
    length = int(rng.integers(2, 9))
    edges = np.array([0, length - 1, length, -1, length + 2, -length - 1, 0, length - 1], np.int32)
    flat = np.concatenate([edges, rng.integers(-length - 3, length + 4, size=32)]).astype(np.int32)
    rng.shuffle(flat)
    grid = rng.integers(-2, length + 2, size=(3, 5)).astype(np.int32)
    single = rng.integers(-2, 3, size=9).astype(np.int32)
    jitted = jax.jit(impl.bincount, static_argnums=1)
    return result(out={"flat": impl.bincount(jnp.asarray(flat), length),
                       "grid_jit": jitted(jnp.asarray(grid), length),
                       "empty": impl.bincount(jnp.zeros((0,), jnp.int32), length),
                       "one_bin": impl.bincount(jnp.asarray(single), 1)},
                  given={"length": length})


# ------------------------------------------------------------------------------------------ safe_take
def safe_take_values(impl, rng):
    """safe_take returns x[idx] for indices in [-n, n) and the fill value otherwise, for float and int x, eagerly,
    under jax.jit and under jax.vmap"""
    n = int(rng.integers(3, 9))
    x = jnp.asarray(_floats(rng, n))
    ints = jnp.asarray(rng.integers(-100, 100, size=n).astype(np.int32))
    fill = float(np.round(rng.normal() * 10, 2))
    edges = jnp.asarray(np.array([-n - 1, -n, -1, 0, n - 1, n, n + 3], np.int32))
    grid = jnp.asarray(rng.integers(-2 * n, 2 * n, size=(4, 6)).astype(np.int32))
    return result(out={"edges": impl.safe_take(x, edges, fill),
                       "int_edges": impl.safe_take(ints, edges, fill),
                       "jit": jax.jit(lambda v, i: impl.safe_take(v, i, fill))(x, grid),
                       "vmap": jax.vmap(lambda i: impl.safe_take(x, i, fill))(grid)},
                  given={"n": n, "fill": fill})


# ------------------------------------------------------------------------------------------ weighted_average
def weighted_average_inputs(impl, rng):
    """weighted_average accepts lists, tuples, NumPy and JAX arrays (int or float entries, one entry too) and
    works under jax.jit"""
    size = int(rng.integers(3, 8))
    values = rng.integers(-9, 10, size=size)
    weights = rng.integers(1, 6, size=size)
    float_weights = rng.uniform(0.5, 2.0, size=size).astype(np.float32)
    calls = {
        "int_lists": ([int(v) for v in values], [int(w) for w in weights]),
        "tuples": (tuple(float(v) / 3 for v in values), tuple(int(w) for w in weights)),
        "numpy": (values.astype(np.float32), float_weights),
        "int_numpy": (values.astype(np.int32), weights.astype(np.int32)),
        "single": ([int(values[0])], [int(weights[0])]),
    }
    out = {name: impl.weighted_average(*call) for name, call in calls.items()}
    out["jit"] = jax.jit(impl.weighted_average)(jnp.asarray(values, jnp.float32), jnp.asarray(float_weights))
    return result(out=out, report={"types": {name: type_name(value) for name, value in out.items()}})


# ------------------------------------------------------------------------------------------ dropout_masks
def dropout_masks_draws(impl, rng):
    """dropout_masks splits the key into one subkey per mask and never reuses a key"""
    # keep_prob is drawn away from 1/2, so a mask of 1 - keep_prob is never close to the right one.
    keep = float(rng.choice([rng.uniform(0.15, 0.35), rng.uniform(0.65, 0.85)]))
    n = int(rng.integers(2, 6))
    shape = (int(rng.integers(16, 40)),) if rng.random() < 0.5 else (int(rng.integers(3, 7)), int(rng.integers(5, 9)))
    seed = int(rng.integers(2**31))
    reuse_error = None
    try:
        with jax.debug_key_reuse(True):
            masks = impl.dropout_masks(jax.random.key(seed), n, shape, keep)
    except jax.errors.KeyReuseError as exc:
        reuse_error = str(exc).splitlines()[0][:200]
        masks = impl.dropout_masks(jax.random.key(seed), n, shape, keep)
    single = impl.dropout_masks(jax.random.key(seed + 1), 1, shape, keep)
    return result(out={"masks": masks, "single": single}, report={"key_reuse_error": reuse_error},
                  given={"n": n, "shape": list(shape), "keep_prob": keep})


# ------------------------------------------------------------------------------------------ soft_clip
def soft_clip_values_and_gradient(impl, rng):
    """soft_clip gives the right values and a finite gradient (at 0 and at the kinks +-1 too), eagerly, under jit
    and under vmap"""
    special = np.array([0.0, 1.0, -1.0, np.e, -np.e, 0.5, -0.5, 1.001, -1.001, 0.999], np.float32)
    x = jnp.asarray(np.concatenate([special, _floats(rng, 10)]))
    grid = jnp.asarray(_floats(rng, 3, 5))
    return result(out={"eager": impl.soft_clip(x), "jit": jax.jit(impl.soft_clip)(x),
                       "vmap": jax.vmap(impl.soft_clip)(grid),
                       "grad": jax.grad(lambda v: jnp.sum(impl.soft_clip(v)))(x)})


# ------------------------------------------------------------------------------------------ collatz_steps
def collatz_values(impl, rng):
    """collatz_steps counts steps eagerly, under jax.jit and under jax.vmap, with a lax loop (n = 1 included)"""
    special = np.array([1, 2, 3, 6, 27], np.int32)
    ns = np.concatenate([special, rng.integers(4, 1000, size=7)]).astype(np.int32)
    rng.shuffle(ns)
    prims = primitive_names(jax.make_jaxpr(impl.collatz_steps)(jnp.int32(7)))
    return result(out={"batched": jax.jit(jax.vmap(impl.collatz_steps))(jnp.asarray(ns)),
                       "single_jit": jax.jit(impl.collatz_steps)(jnp.int32(ns[-1])),
                       "one": impl.collatz_steps(jnp.int32(1)),
                       "eager": impl.collatz_steps(jnp.int32(ns[0]))},
                  report={"uses_while_loop": "while" in prims})


# ------------------------------------------------------------------------------------------ ema
def ema_values_and_structure(impl, rng):
    """ema matches the recurrence (T = 1, decay 0 and decay 1 included), compiles to a program that does not
    grow with T, and differentiates"""
    decay = float(np.float32(rng.choice([rng.uniform(0.05, 0.4), rng.uniform(0.6, 0.95)])))
    width = int(rng.integers(1, 4))
    steps = int(rng.integers(5, 12))
    xs = jnp.asarray(_floats(rng, steps, width))
    weights = jnp.asarray(_floats(rng, steps, width))
    short = count_equations(jax.make_jaxpr(lambda v: impl.ema(v, decay))(jnp.zeros((8, 2))))
    long = count_equations(jax.make_jaxpr(lambda v: impl.ema(v, decay))(jnp.zeros((64, 2))))
    vector = jnp.asarray(_floats(rng, steps))
    return result(out={"values": impl.ema(xs, decay),
                       "jit": jax.jit(lambda v: impl.ema(v, decay))(xs),
                       "one_step": impl.ema(xs[:1], decay),
                       "decay_0": impl.ema(vector, 0.0),
                       "decay_1": impl.ema(vector, 1.0),
                       "grad": jax.grad(lambda v: jnp.sum(impl.ema(v, decay) * weights))(xs)},
                  report={"program_grows_with_T": long > short},
                  given={"decay": decay})


# ------------------------------------------------------------------------------------------ make_one_hot
def one_hot_values(impl, rng):
    """make_one_hot returns a jitted encoder with a static num_classes, giving zero rows for out-of-range labels"""
    encode = impl.make_one_hot()
    out = {}
    for name, classes in (("few", int(rng.integers(2, 6))), ("many", int(rng.integers(6, 12))), ("one", 1)):
        labels = np.concatenate([[-1, 0, classes - 1, classes, classes + 3],
                                 rng.integers(-2, classes + 2, size=int(rng.integers(3, 12)))]).astype(np.int32)
        rng.shuffle(labels)
        out[name] = encode(jnp.asarray(labels), num_classes=classes)
    labels = rng.integers(0, 4, size=6).astype(np.int32)
    out["positional"] = encode(jnp.asarray(labels), 4)
    return result(out=out, report={"is_jitted": callable(getattr(encode, "lower", None))})
