"""Probes for topic `pmap`. The verdicts live in autograder/grading/checks/test_pmap.py.

Every process of the kit runs with 4 simulated CPU devices (XLA_FLAGS). Per-device functions run under
``jax.pmap`` on 2 to 4 of them and under a jitted ``jax.vmap(..., axis_name="batch")`` with axis sizes 3 and 5, so a
device count written into a solution shows. Each probe draws every argument the student's function receives
from ``rng``, puts every edge case its docstring names in every run, and returns ``result(out=...,
report=..., given=...)``: ``out`` holds only what the student's functions returned.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from autograder.sandbox.probing import mesh_key, primitive_names, result, shard_map_meshes, type_name

AXIS = "batch"


def _floats(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def _away_from_half(rng, low: bool) -> float:
    """A probability far from 1/2 (so p and 1 - p never agree), from the low or the high range."""
    value = rng.uniform(0.1, 0.3) if low else rng.uniform(0.65, 0.85)
    return float(np.float32(value))


def _per_device(function, n: int, how: str, in_axes):
    """``function`` mapped over ``n`` devices: a real ``jax.pmap`` (on the first n local devices) or a jitted
    ``jax.vmap`` (one compiled program instead of one per operation)."""
    if how == "pmap":
        return jax.pmap(function, axis_name=AXIS, in_axes=in_axes, devices=jax.local_devices()[:n])
    return jax.jit(jax.vmap(function, in_axes=in_axes, axis_name=AXIS))


def _regression(rng, rows: int, d: int):
    """Random parameters and a regression batch (float32) drawn from a noisy linear model."""
    x = _floats(rng, rows, d)
    y = (x @ rng.normal(size=d) + rng.normal() + 0.3 * rng.normal(size=rows)).astype(np.float32)
    params = {"w": _floats(rng, d, scale=0.5), "b": np.asarray(rng.normal() * 0.5, np.float32)}
    return params, x, y


def _jnp_tree(params):
    return {name: jnp.asarray(leaf) for name, leaf in params.items()}


def _copies(params, n):
    """n identical copies along a new leading axis, built here so no student's replicate is involved."""
    return {name: jnp.asarray(np.broadcast_to(leaf, (n, *np.shape(leaf))).copy()) for name, leaf in params.items()}


# ------------------------------------------------------------------------------------------ device_summary
def device_summary_lists(impl, rng):
    """device_summary describes all local devices by default and any list of devices it is given, in order"""
    devices = jax.local_devices()
    order = [int(i) for i in rng.permutation(len(devices))]
    size = int(rng.integers(2, len(devices)))
    out = {"default": impl.device_summary(),
           "none": impl.device_summary(None),
           "subset": impl.device_summary([devices[i] for i in order[:size]]),
           "reversed": impl.device_summary(devices[::-1]),
           "single": impl.device_summary([devices[order[-1]]])}
    return result(out=out, given={"subset": order[:size], "single": order[-1]})


# ------------------------------------------------------------------------------------------ shard_batch
def shard_batch_layouts(impl, rng):
    """shard_batch splits batches of several shapes and dtypes into consecutive per-device shards (one shard and
    one row per shard included), for JAX and NumPy inputs"""
    n = int(rng.integers(2, 6))
    per = int(rng.integers(2, 5))
    cases = {
        "matrix": (jnp.asarray(_floats(rng, n * per, int(rng.integers(2, 5)))), n),
        "numpy_labels": (rng.integers(0, 10, size=3 * per + 3).astype(np.int32), 3),
        "images": (jnp.asarray(_floats(rng, per * 2, 2, 3)), 2),
        "one_shard": (_floats(rng, per + 1, 2), 1),
        "one_row_each": (jnp.asarray(rng.random(n) < 0.5), n),
    }
    out = {name: impl.shard_batch(x, devices) for name, (x, devices) in cases.items()}
    return result(out=out, report={"types": {name: type_name(value) for name, value in out.items()}},
                  given={"shapes": {name: list(np.shape(x)) for name, (x, _) in cases.items()},
                         "devices": {name: devices for name, (_, devices) in cases.items()}})


def _uneven_call(impl, x, n):
    try:
        returned = impl.shard_batch(x, n)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - which exception, and what it says, is what is graded
        return {"raised": type(exc).__name__[:100], "message": str(exc)[:400], "shape": None}
    shape = [int(v) for v in np.shape(returned)] if hasattr(returned, "shape") else None
    return {"raised": None, "message": "", "shape": shape}


def shard_batch_uneven(impl, rng):
    """shard_batch raises a ValueError naming both numbers when the batch does not split evenly (fewer rows than
    devices included)"""
    n = int(rng.integers(3, 6))
    rows = n * int(rng.integers(2, 4)) + int(rng.integers(1, n))
    few = int(rng.integers(1, n))
    calls = {"uneven": (rows, n), "fewer_rows": (few, n + 1)}
    out = {name: _uneven_call(impl, jnp.asarray(_floats(rng, r, 2)), devices) for name, (r, devices) in calls.items()}
    return result(out=out, given={name: {"rows": r, "devices": devices} for name, (r, devices) in calls.items()})


# ------------------------------------------------------------------------------------------ replicate
def replicate_trees(impl, rng):
    """replicate gives every leaf of a nested tree (JAX and NumPy leaves, 0-d, int and float) a leading axis of
    n_devices copies, for a random n_devices and for 1"""
    n = int(rng.integers(2, 6))
    tree = {"dense": {"w": jnp.asarray(_floats(rng, 3, int(rng.integers(1, 4)))), "b": _floats(rng, 2)},
            "scale": np.asarray(rng.normal(), np.float32),
            "layers": [(rng.integers(-9, 9, size=3).astype(np.int32), jnp.asarray(int(rng.integers(100)), jnp.int32))]}
    out = {"many": impl.replicate(tree, n), "one": impl.replicate(tree, 1)}
    types = sorted({type_name(leaf) for leaf in jax.tree.leaves(out)})
    return result(out=out, report={"leaf_types": types}, given={"n": n})


# ------------------------------------------------------------------------------------------ dp_sgd_step
def dp_step_runs(impl, rng):
    """dp_sgd_step takes the full-batch SGD step on every replica, under jax.vmap over 3 replicas and under jax.pmap
    on 4 devices, with random sizes and learning rates"""
    out, given = {}, {}
    for name, n, how in (("vmap_3", 3, "vmap"), ("pmap_4", 4, "pmap")):
        per, d = int(rng.integers(2, 6)), int(rng.integers(2, 5))
        lr = float(np.float32(rng.uniform(0.05, 0.3)))
        params, x, y = _regression(rng, n * per, d)
        step = _per_device(impl.dp_sgd_step, n, how, (0, 0, 0, None))
        new, loss = step(_copies(params, n), jnp.asarray(x.reshape(n, per, d)), jnp.asarray(y.reshape(n, per)), lr)
        out[name] = {"params": new, "loss": loss}
        given[name] = {"n": n, "rows": per, "d": d, "lr": lr, "params": params, "x": x, "y": y}
    return result(out=out, given=given)


# ------------------------------------------------------------------------------------------ global_accuracy
def _scores(rng, labels, correct, classes):
    """Random logits whose argmax is the label exactly where `correct` is True."""
    logits = _floats(rng, *labels.shape, classes)
    rows = np.arange(labels.size)
    flat, flat_labels = logits.reshape(-1, classes), labels.reshape(-1)
    top, bottom = flat.max(axis=1), flat.min(axis=1)
    flat[rows, flat_labels] = np.where(correct.reshape(-1), top + 1.0, bottom - 1.0)
    return flat.reshape(logits.shape)


def _accuracy_inputs(rng, n, rows, classes, valid_counts, correct_counts):
    labels = rng.integers(0, classes, size=(n, rows)).astype(np.int32)
    valid = np.arange(rows)[None, :] < np.asarray(valid_counts)[:, None]
    correct = np.zeros((n, rows), bool)
    for device, (v, c) in enumerate(zip(valid_counts, correct_counts)):
        correct[device, rng.permutation(v)[:c]] = True
        padding = np.arange(v, rows)
        correct[device, padding] = rng.random(len(padding)) < 0.5  # padding rows may look right: never count them
    if not correct[~valid].any():
        correct[~valid] = True  # at least one padding row predicted right, so counting padding always shows
    return _scores(rng, labels, correct, classes), labels, valid


def accuracy_runs(impl, rng):
    """global_accuracy gives the global counts and accuracy on every device, with devices that have different
    numbers of valid rows and a device that has none, under jax.vmap (5 devices) and jax.pmap (4 devices)"""
    out, given = {}, {}
    for name, n, how in (("vmap_5", 5, "vmap"), ("pmap_4", 4, "pmap")):
        rows, classes = int(rng.integers(5, 9)), int(rng.integers(2, 6))
        if name == "vmap_5":
            # Every device counts rows; one has a single right row, the others many rows and few right ones:
            # the mean of the per-device accuracies is then far from the global accuracy.
            valid_counts = [1] + [int(rng.integers(4, rows)) for _ in range(n - 1)]
            correct_counts = [1] + [int(rng.integers(0, v // 4 + 1)) for v in valid_counts[1:]]
        else:
            # One device with no valid rows, one with only valid rows, the rest in between.
            valid_counts = [0, rows] + [int(rng.integers(1, rows)) for _ in range(n - 2)]
            correct_counts = [0, int(rng.integers(1, rows + 1))]
            correct_counts += [int(rng.integers(0, v + 1)) for v in valid_counts[2:]]
        order = rng.permutation(n)
        valid_counts = [valid_counts[i] for i in order]
        correct_counts = [correct_counts[i] for i in order]
        logits, labels, valid = _accuracy_inputs(rng, n, rows, classes, valid_counts, correct_counts)
        metrics = _per_device(impl.global_accuracy, n, how, (0, 0, 0))(
            jnp.asarray(logits), jnp.asarray(labels), jnp.asarray(valid))
        out[name] = metrics
        given[name] = {"n": n, "rows": rows, "classes": classes, "logits": logits, "labels": labels, "valid": valid}
    return result(out=out, given=given)


# ------------------------------------------------------------------------------------------ train_data_parallel
def _recording_step(impl, seen: dict, target_scale: float):
    """A per-device step for train_data_parallel: the reference's dp_sgd_step on targets scaled by
    ``target_scale``. At trace time it counts its traces and records the size of the mapped axis."""
    def step(params, x, y, lr):
        seen["traces"] += 1
        seen["axis_sizes"].add(int(jax.lax.axis_size(AXIS)))
        return impl.dp_sgd_step(params, x, target_scale * y, lr)
    return step


def _pmap_calls(impl, call):
    """Run call() while jax.pmap (and the implementation's own names for it) counts its calls."""
    original, calls = jax.pmap, []

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    namespace = vars(impl)
    aliases = [name for name, value in list(namespace.items()) if value is original]
    jax.pmap = spy
    for name in aliases:
        namespace[name] = spy
    try:
        value = call()
    finally:
        jax.pmap = original
        for name in aliases:
            namespace[name] = original
    return value, len(calls)


def train_runs(impl, rng):
    """train_data_parallel runs the step it is given with jax.pmap on every local device and returns the
    parameters and losses of the single-device SGD loop, for two different steps and random sizes"""
    n = jax.local_device_count()
    per, d = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    out, report, given = {}, {}, {}
    for name, scale, k in (("dp_sgd_step", 1.0, int(rng.integers(2, 4))),
                           ("scaled_targets", float(np.float32(rng.uniform(1.5, 3.0))), 1)):
        lr = float(np.float32(rng.uniform(0.05, 0.25)))
        params, x, y = _regression(rng, k * n * per, d)
        xs, ys = x.reshape(k, n * per, d), y.reshape(k, n * per)
        seen = {"traces": 0, "axis_sizes": set()}
        step = _recording_step(impl, seen, scale)
        (trained, losses), pmaps = _pmap_calls(
            impl, lambda: impl.train_data_parallel(step, _jnp_tree(params), jnp.asarray(xs), jnp.asarray(ys), lr))
        out[name] = {"params": trained, "losses": losses}
        report[name] = {"traces": seen["traces"], "axis_sizes": sorted(seen["axis_sizes"]), "pmap_calls": pmaps}
        given[name] = {"k": k, "rows": n * per, "d": d, "lr": lr, "devices": n, "scale": scale}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ device_dropout
def dropout_runs(impl, rng):
    """device_dropout, pmapped over 4 devices sharing one key, draws mask i from fold_in(key, i) and scales what it
    keeps, for a rate far from 1/2 and for rate 0"""
    shape = (int(rng.integers(40, 64)),)  # many entries: the fraction kept is close to 1 - rate
    out, given = {}, {}
    for name, rate in (("random_rate", _away_from_half(rng, bool(rng.integers(2)))), ("rate_0", 0.0)):
        x = (rng.uniform(0.5, 1.5, size=(4, *shape)) * rng.choice([-1.0, 1.0], size=(4, *shape))).astype(np.float32)
        seed = int(rng.integers(2**31))
        # rate is traced under pmap, so both rates run the same compiled program.
        out[name] = _per_device(impl.device_dropout, 4, "pmap", (None, 0, None))(jax.random.key(seed), jnp.asarray(x),
                                                                                 rate)
        given[name] = {"n": 4, "rate": rate, "x": x}
    return result(out=out, given=given)


# ------------------------------------------------------------------------------------------ halo_conv1d
def _kernel(rng, size):
    """A random kernel that is far from symmetric, so convolution and correlation always differ."""
    kernel = _floats(rng, size)
    kernel[0], kernel[-1] = abs(kernel[0]) + 1.0, -abs(kernel[-1]) - 1.0
    return kernel


def halo_runs(impl, rng):
    """halo_conv1d, pmapped over 4, 3 and 2 devices, equals jnp.convolve(signal, kernel, "same") for halos of
    width 1, of a whole chunk, and in between"""
    wide = int(rng.integers(2, 4))
    runs = (("halo_1", 4, int(rng.integers(3, 7)), 3),
            ("halo_chunk", 3, wide, 2 * wide + 1),
            ("halo_mid", 2, int(rng.integers(4, 7)), int(rng.choice([5, 7]))))
    out, given, primitives = {}, {}, set()
    for name, n, length, size in runs:
        signal, kernel = _floats(rng, n * length), _kernel(rng, size)
        mapped = _per_device(impl.halo_conv1d, n, "pmap", (0, None))
        chunks, kernel_in = jnp.asarray(signal.reshape(n, length)), jnp.asarray(kernel)
        out[name] = mapped(chunks, kernel_in)
        primitives |= primitive_names(jax.make_jaxpr(mapped)(chunks, kernel_in))
        given[name] = {"n": n, "length": length, "signal": signal, "kernel": kernel}
    return result(out=out, report={"uses_ppermute": "ppermute" in primitives,
                                   "uses_all_gather": "all_gather" in primitives}, given=given)


# ------------------------------------------------------------------------------------------ td0_update
def td0_runs(impl, rng):
    """td0_update takes the semi-gradient TD(0) step eagerly and under jax.jit, for random discounts and learning
    rates and for gamma 0 and 1"""
    rows, d = int(rng.integers(3, 9)), int(rng.integers(2, 6))  # one shape: the eager calls compile once
    gammas = {"eager": float(np.float32(rng.uniform(0.5, 0.99))), "jit": float(np.float32(rng.uniform(0.5, 0.99))),
              "gamma_0": 0.0, "gamma_1_jit": 1.0}
    out, given = {}, {}
    for name, gamma in gammas.items():
        lr = float(np.float32(rng.uniform(0.05, 0.3)))
        params = {"w": _floats(rng, d, scale=0.3), "b": np.asarray(rng.normal() * 0.3, np.float32)}
        s, s_next = _floats(rng, rows, d), _floats(rng, rows, d)
        r = rng.uniform(1.0, 2.0, size=rows).astype(np.float32)  # positive rewards: the TD errors do not cancel
        args = (_jnp_tree(params), jnp.asarray(s), jnp.asarray(r), jnp.asarray(s_next))
        if name.endswith("jit"):
            out[name] = jax.jit(lambda p, a, b, c: impl.td0_update(p, a, b, c, gamma, lr))(*args)
        else:
            out[name] = impl.td0_update(*args, gamma, lr)
        given[name] = {"gamma": gamma, "lr": lr, "params": params, "s": s, "r": r, "s_next": s_next}
    return result(out=out, given=given)


# ------------------------------------------------------------------------------------------ shard_map_sgd_step


def shard_map_runs(impl, rng):
    """shard_map_sgd_step takes the single-device full-batch step inside jax.shard_map, on meshes of 4, 2 and 1
    devices, with random sizes and learning rates"""
    per, d = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    out, report, given = {}, {}, {}
    for n in (4, 2, 1):
        lr = float(np.float32(rng.uniform(0.05, 0.3)))
        params, x, y = _regression(rng, n * per, d)
        mesh = jax.make_mesh((n,), (AXIS,))
        (new, loss), meshes = shard_map_meshes(
            lambda: impl.shard_map_sgd_step(mesh, _jnp_tree(params), jnp.asarray(x), jnp.asarray(y), lr))
        name = f"mesh_{n}"
        out[name] = {"params": new, "loss": loss}
        report[name] = {"shard_map_on_mesh": mesh_key(mesh) in meshes}
        given[name] = {"n": n, "rows": n * per, "d": d, "lr": lr, "params": params, "x": x, "y": y}
    return result(out=out, report=report, given=given)
