"""Hidden checks for topic `pmap`.

Each check compares what the student's functions returned (``got.out``) with what the reference returned on
the same fresh random inputs, computed in the grader's own process (``ref``): the reference's multi-device
results equal the single-device computation, so an N-times gradient, a per-device result or a wrapped halo
shows as a difference. Before that comparison a check may name what it *detected* in ``got.out`` (replicas
that disagree, an update that is exactly N times the right one, the output of a wrapped halo), computed here
from ``got.out`` and the inputs in ``ref.given``. Properties measured beside the student's code
(``got.report``) only ever take points away. Docstrings list the mistakes each check rejects.
"""
import re

import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match, float_array, part
from autograder.sandbox.probes import pmap as probes


# ------------------------------------------------------------------------------------------ helpers


def _flat_update(old: dict, new) -> np.ndarray | None:
    """old - new over the leaves "w" and "b", as one float64 vector; None when `new` is not such a tree."""
    if type(new) is not dict or set(new) != {"w", "b"}:
        return None
    parts = []
    for name in ("w", "b"):
        leaf = float_array(new[name], np.shape(old[name]))
        if leaf is None:
            return None
        parts.append(np.ravel(np.asarray(old[name], np.float64) - leaf))
    return np.concatenate(parts)


def _update_ratio(old: dict, got_new, ref_new) -> float | None:
    """r when the update the student took is r times the reference's (and r is not 1), else None."""
    mine, right = _flat_update(old, got_new), _flat_update(old, ref_new)
    if mine is None or right is None or not np.any(right):
        return None
    ratio = float(mine @ right / (right @ right))
    if abs(ratio - 1) < 1e-3 or not np.allclose(mine, ratio * right, rtol=1e-3, atol=1e-6):
        return None
    return ratio


def _first_replica(tree):
    if type(tree) is not dict:
        return None
    firsts = {}
    for name, leaf in tree.items():
        if type(leaf) is not np.ndarray or leaf.ndim < 1 or leaf.shape[0] < 1:
            return None
        firsts[name] = leaf[0, ...]
    return firsts


def _replicas_disagree(tree) -> bool:
    """True when some leaf of a tree of per-device arrays differs between devices."""
    leaves = tree.values() if type(tree) is dict else [tree]
    for leaf in leaves:
        if type(leaf) is np.ndarray and leaf.ndim >= 1 and leaf.dtype.kind in "biuf" and leaf.shape[0] > 1:
            if not np.allclose(leaf.astype(np.float64), leaf[:1].astype(np.float64), rtol=1e-6, atol=1e-7,
                               equal_nan=True):
                return True
    return False


def _single_device_step(given) -> dict:
    """The full-batch SGD step of the mean squared error on one device, in float64: what every data-parallel
    step must equal. The reference's result is held to it too (a kit bug would fail the reference's own run)."""
    w, b = given["params"]["w"].astype(np.float64), np.float64(given["params"]["b"])
    x, y = given["x"].astype(np.float64), given["y"].astype(np.float64)
    residual = x @ w + b - y
    return {"params": {"w": w - given["lr"] * 2 * x.T @ residual / len(y),
                       "b": np.asarray(b - given["lr"] * 2 * residual.mean())},
            "loss": np.asarray(np.mean(residual ** 2))}


def _reference_is_single_device(ref_params, ref_loss, given) -> dict:
    oracle = _single_device_step(given)
    mine = {"params": _first_replica(ref_params) if np.ndim(ref_params["b"]) else ref_params,
            "loss": np.ravel(ref_loss)[0]}
    assert all(np.allclose(mine["params"][k], oracle["params"][k], rtol=1e-4, atol=1e-5) for k in ("w", "b")) \
        and np.allclose(mine["loss"], oracle["loss"], rtol=1e-4), "kit bug: the reference differs from one device"
    return oracle["params"]


def _mapped(function: str, how: str, in_axes: str) -> str:
    """How a probe called a per-device function, as code."""
    if how == "pmap":
        return f"jax.pmap({function}, axis_name='batch', in_axes={in_axes})"
    return f"jax.jit(jax.vmap({function}, in_axes={in_axes}, axis_name='batch'))"


def _diagnose_sgd(got_run, ref_run, given, call: str) -> None:
    """Name what is detectably wrong with a data-parallel SGD step's replicated result (before the comparison)."""
    n = given["n"]
    new, loss = part(got_run, "params"), part(got_run, "loss")
    expect(not _replicas_disagree(new),
           f"{call}: the {n} replicas returned different new parameters, so they would drift apart. Every device "
           "must apply the same update, computed from all devices' rows.")
    expect(not (type(loss) is np.ndarray and _replicas_disagree(loss)),
           f"{call}: the {n} replicas returned different losses; the loss is the global one, the same on every "
           "device.")
    single = _reference_is_single_device(ref_run["params"], ref_run["loss"], given)
    ratio = _update_ratio(given["params"], _first_replica(new), single)
    if ratio is not None:
        summed = " (exactly what summing the devices' gradients with lax.psum gives instead of averaging them)" \
            if abs(ratio - n) < 1e-3 * n else ""
        expect(False, f"{call}: the update replica 0 took is {ratio:.4g} times the full-batch SGD step{summed}.")
    mine, right = float_array(loss, (n,)), ref_run["loss"].astype(np.float64)
    if mine is not None and np.allclose(mine, n * right, rtol=1e-4):
        expect(False, f"{call}: the loss is {n} times the global mean loss (summed over the {n} devices instead of "
               "averaged).")


# ------------------------------------------------------------------------------------------ device_summary
@pytest.mark.task("pmap.device_summary")
def test_device_summary_of_any_device_list(run):
    """Rejects: ignoring the devices argument (a hard-coded count or id list), positions instead of device ids,
    sorted ids, ids or count as arrays instead of Python ints."""
    got, ref = run(probes.device_summary_lists)
    subset = ref.given["subset"]
    expect_match(got.out, ref.out,
                 call="device_summary() and device_summary(None) in a process with 4 CPU devices, and "
                      f"device_summary(devices) for the devices with ids {subset}, for all four in reverse order "
                      f"and for the single device {ref.given['single']}",
                 hint="count, platform and ids describe exactly the devices in the list given (all local devices "
                      "for None); ids are the devices' own .id values in the list's order, as Python ints.")


# ------------------------------------------------------------------------------------------ shard_batch
@pytest.mark.task("pmap.shard_batch")
def test_shard_batch_layout(run):
    """Rejects: x.reshape(n, -1) (flattens the trailing axes), a strided split (shard i holds every n-th row),
    a NumPy result for a NumPy input, a changed dtype, failing for one shard or one row per shard."""
    got, ref = run(probes.shard_batch_layouts)
    shapes, devices = ref.given["shapes"], ref.given["devices"]
    wrong = {name: kind for name, kind in got.report["types"].items() if kind != "jax.Array"}
    expect(not wrong, f"shard_batch returned {wrong} where the docstring promises a JAX array: convert the input "
                      "with jax.numpy (a NumPy input must give a JAX array too).")
    for name, shape in shapes.items():
        mine, n = part(got.out, name), devices[name]
        if type(mine) is np.ndarray and len(shape) > 2 and mine.shape == (n, shape[0] // n * int(np.prod(shape[1:]))):
            expect(False, f"shard_batch(x of shape {tuple(shape)}, {n}) returned shape {mine.shape}: the trailing "
                          "axes were flattened into one. Each shard keeps the shape of a row.")
    calls = ", ".join(f"{tuple(shape)} over {devices[name]}" for name, shape in shapes.items())
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"shard_batch(x, n_devices) for x of shapes {calls} (float32, int32 and bool; JAX and NumPy)",
                 hint="shard i holds the consecutive rows i * per_device .. (i + 1) * per_device - 1, each row "
                      "keeping its shape and dtype.")


@pytest.mark.task("pmap.shard_batch")
def test_shard_batch_rejects_uneven_batches(run):
    """Rejects: silently dropping the remainder rows (or returning empty shards), padding, letting reshape raise
    TypeError, an assert (AssertionError), a ValueError whose message does not name both numbers."""
    got, ref = run(probes.shard_batch_uneven)
    for name, case in ref.given.items():
        rows, n = case["rows"], case["devices"]
        call = f"shard_batch(x with {rows} rows, {n})"
        mine = part(got.out, name)
        expect(type(mine) is dict and set(mine) == {"raised", "message", "shape"},
               f"{call}: the grading process sent data of an unexpected form.")
        expect(mine["raised"] is not None,
               f"{call} did not raise but returned shape {mine['shape']}: {rows} rows do not split evenly over {n} "
               "devices. Dropping or padding rows changes the data silently; raise ValueError instead.")
        expect(mine["raised"] == "ValueError", f"{call} raised {mine['raised']}, not ValueError.")
        message = mine["message"] if type(mine["message"]) is str else ""
        numbers = re.findall(r"\d+", message)
        expect(str(rows) in numbers and str(n) in numbers,
               f"{call} raised ValueError({message[:200]!r}); make the message name both numbers ({rows} and {n}) "
               "so the caller sees what to change.")


# ------------------------------------------------------------------------------------------ replicate
@pytest.mark.task("pmap.replicate")
def test_replicate_adds_a_leading_device_axis(run):
    """Rejects: jnp.tile / jnp.repeat along the existing first axis, copies stacked along the last axis, NumPy
    leaves (np.stack, np.broadcast_to), a changed dtype, a changed tree structure, failing for n_devices = 1."""
    got, ref = run(probes.replicate_trees)
    n = ref.given["n"]
    types = got.report["leaf_types"]
    expect(types == ["jax.Array"],
           f"replicate returned leaves of type {types} where the docstring promises JAX arrays: build the copies "
           "with jax.numpy.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"replicate(tree, {n}) and replicate(tree, 1) on a nested dict/list/tuple tree of float32 and "
                      "int32 leaves (0-d ones too, JAX and NumPy)",
                 hint="every leaf of shape s becomes (n_devices, *s): a new leading axis of identical copies, the "
                      "dtype and the tree structure unchanged.")


# ------------------------------------------------------------------------------------------ dp_sgd_step
@pytest.mark.task("pmap.dp_sgd_step")
def test_dp_sgd_step_is_the_full_batch_step(run):
    """Rejects: lax.psum of the gradients (N times the step), no collective or grad of a pmean'd loss under
    pmap/vmap (each replica follows its own shard: replicas diverge), the local loss or a psum'd loss, a device
    count written in (psum / 4), code that only works under vmap or only under pmap."""
    got, ref = run(probes.dp_step_runs)
    for name, given in ref.given.items():
        call = (f"{_mapped('dp_sgd_step', name.split('_')[0], '(0, 0, 0, None)')} over {given['n']} devices, "
                f"{given['rows']} rows of {given['d']} features each, lr={given['lr']:.3f}")
        _diagnose_sgd(part(got.out, name), ref.out[name], given, call)
        expect_match(part(got.out, name), ref.out[name], exact_dtype=True, rtol=2e-5, atol=2e-6, call=call,
                     hint="every replica applies params - lr * (the mean of the devices' gradients), and returns the "
                          "mean of the devices' losses.")


# ------------------------------------------------------------------------------------------ global_accuracy
def _device_accuracies(given) -> np.ndarray:
    hits = (given["logits"].argmax(-1) == given["labels"]) & given["valid"]
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits.sum(1) / given["valid"].sum(1)


@pytest.mark.task("pmap.global_accuracy")
def test_global_accuracy_sums_counts(run):
    """Rejects: pmean of per-device accuracies (wrong when devices count different numbers of rows, nan when one
    counts none), counting padding rows, counting right predictions on padding rows, no collective (per-device
    numbers), psum of the accuracies, float counts."""
    got, ref = run(probes.accuracy_runs)
    for name, given in ref.given.items():
        n, rows = given["n"], given["rows"]
        valid_rows = given["valid"].sum(1).tolist()
        call = (f"{_mapped('global_accuracy', name.split('_')[0], '(0, 0, 0)')} over {n} devices with {rows} rows "
                f"each, of which {valid_rows} are valid")
        mine = part(got.out, name)
        if type(mine) is dict:
            for key in ("correct", "count", "accuracy"):
                expect(not (type(mine.get(key)) is np.ndarray and _replicas_disagree(mine[key])),
                       f"{call}: `{key}` differs between devices; it must be the total over all devices, the same "
                       "on every device.")
            count = mine.get("count")
            if type(count) is np.ndarray and count.shape == (n,) and np.all(count == n * rows):
                expect(False, f"{call}: count is {n * rows}, the number of all rows, padding rows included; only "
                              f"the {int(given['valid'].sum())} valid rows count.")
            correct = mine.get("correct")
            all_hits = int((given["logits"].argmax(-1) == given["labels"]).sum())
            if type(correct) is np.ndarray and correct.shape == (n,) and np.all(correct == all_hits):
                expect(False, f"{call}: correct is {all_hits}, which counts the padding rows predicted right too; "
                              "only valid rows count.")
            accuracy = float_array(mine.get("accuracy"), (n,))
            per_device = _device_accuracies(given)
            if accuracy is not None and np.all(np.isfinite(per_device)):
                if not np.allclose(accuracy, ref.out[name]["accuracy"], rtol=1e-5) and \
                        np.allclose(accuracy, per_device.mean(), rtol=1e-5):
                    expect(False, f"{call}: the accuracy is the average of the per-device accuracies, which weights "
                                  "devices, not rows; the global accuracy is all correct rows over all valid rows.")
        expect_match(mine, ref.out[name], exact_dtype=True, call=call,
                     hint="correct and count are totals over every device's valid rows (int32), and accuracy is "
                          "their ratio (float32), identical on every device.")


# ------------------------------------------------------------------------------------------ train_data_parallel
@pytest.mark.task("pmap.train_data_parallel")
def test_train_loop_matches_single_device_loop(run):
    """Rejects: calling dp_sgd_step instead of the step given, a loop under jax.vmap (no pmap), a fixed number of
    devices smaller than the local device count, re-replicating the initial params every step, returning every
    replica or the losses of every device, a loss from another step."""
    got, ref = run(probes.train_runs)
    for name, given in ref.given.items():
        seen = got.report.get(name) if type(got.report.get(name)) is dict else {}
        call = (f"train_data_parallel(step, params, xs, ys, lr={given['lr']:.3f}) for {given['k']} global batches of "
                f"{given['rows']} rows with {given['d']} features"
                + (", with a step that is not dp_sgd_step" if name != "dp_sgd_step" else ", with step=dp_sgd_step"))
        expect(seen.get("traces") != 0,
               f"{call}: train_data_parallel never called the step it was given. Map that step with jax.pmap, "
               "whatever function it is.")
        expect(seen.get("pmap_calls") != 0,
               f"{call}: jax.pmap was never called. Run the step on the devices with jax.pmap (in-process rule).")
        sizes, devices = seen.get("axis_sizes"), given["devices"]
        expect(sizes == [devices],
               f"{call}: the step ran over {sizes} devices; it must run on all {devices} local devices "
               "(jax.local_device_count()).")
        expect_match(part(got.out, name), ref.out[name], exact_dtype=True, rtol=2e-5, atol=2e-6,
                     call=call + " (against the single-device SGD loop on the same batches)",
                     hint="replicate the params once, keep the replicated params from step to step, collect the "
                          "loss of replica 0 at every step, and return replica 0 of the params at the end.")


# ------------------------------------------------------------------------------------------ device_dropout
@pytest.mark.task("pmap.device_dropout")
def test_device_dropout_keys_per_device(run):
    """Rejects: the same key on every device (identical masks), rate used as the keep probability, no
    1 / (1 - rate) scaling, keys derived another way than fold_in(key, axis_index) (the device key split once
    more, a fresh key from the device index), a Python branch on rate (it is traced under pmap)."""
    got, ref = run(probes.dropout_runs)
    for name, given in ref.given.items():
        n, rate, x = given["n"], given["rate"], given["x"]
        call = (f"jax.pmap(device_dropout, axis_name='batch', in_axes=(None, 0, None)) over {n} devices on "
                f"activations of shape {x.shape[1:]} with rate={rate:.3f}")
        mine = float_array(part(got.out, name), x.shape)
        if mine is not None and rate > 0:
            kept = mine != 0
            expect(not all(np.array_equal(kept[0], kept[i]) for i in range(1, n)),
                   f"{call}: every device dropped exactly the same entries. Device i must draw its mask from "
                   "jax.random.fold_in(key, i).")
            if kept.any() and np.allclose(mine[kept], x[kept], rtol=1e-6):
                expect(False, f"{call}: the entries kept equal x; inverted dropout divides them by 1 - rate.")
            fraction = float(kept.mean())
            if not np.allclose(mine, ref.out[name], rtol=1e-6) and abs(fraction - rate) < abs(fraction - (1 - rate)):
                expect(False, f"{call}: {fraction:.0%} of the entries were kept, about rate = {rate:.0%}; rate is the "
                              "probability of dropping an entry, so each is kept with probability 1 - rate.")
        expect_match(part(got.out, name), ref.out[name], exact_dtype=True, rtol=1e-6, atol=1e-7, call=call,
                     hint="device i draws keep = bernoulli(fold_in(key, i), 1 - rate, x.shape) and returns "
                          "x / (1 - rate) where kept, 0 elsewhere.")


# ------------------------------------------------------------------------------------------ halo_conv1d
def _halo_variants(signal, kernel, n) -> dict:
    """What the classic wrong halos compute, in float64: to name the one a result matches."""
    signal, kernel = signal.astype(np.float64), kernel.astype(np.float64)
    halo = len(kernel) // 2
    chunks = signal.reshape(n, -1)
    cyclic = np.concatenate([signal[-halo:], signal, signal[:halo]])
    return {
        "each chunk convolved on its own, without the neighbours' values (no halo exchange)":
            np.stack([np.convolve(c, kernel, mode="same") for c in chunks]),
        "the signal wrapped around: the first and last devices received each other's values, where the whole "
        "signal has zero padding (a cyclic permutation)":
            np.convolve(cyclic, kernel, mode="valid").reshape(n, -1),
        "a correlation, not a convolution: the kernel was not flipped":
            np.convolve(signal, kernel[::-1], mode="same").reshape(n, -1),
        "padded with halos from the wrong neighbours: the permutations send the values the wrong way":
            _swapped_halos(chunks, kernel),
    }


def _swapped_halos(chunks, kernel):
    halo, n = len(kernel) // 2, len(chunks)
    rows = []
    for i, chunk in enumerate(chunks):
        left = chunks[i + 1][-halo:] if i + 1 < n else np.zeros(halo)
        right = chunks[i - 1][:halo] if i > 0 else np.zeros(halo)
        rows.append(np.convolve(np.concatenate([left, chunk, right]), kernel, mode="valid"))
    return np.stack(rows)


@pytest.mark.task("pmap.halo_conv1d")
def test_halo_conv1d_equals_convolve(run):
    """Rejects: no halo exchange, a cyclic ppermute (the ends of the signal wrap around), halos sent to the wrong
    side, correlation instead of convolution, a halo of 1 whatever K is, a permutation written for 4 devices,
    lax.all_gather instead of ppermute (in-process rule)."""
    got, ref = run(probes.halo_runs)
    expect(got.report.get("uses_all_gather") is False,
           "halo_conv1d uses lax.all_gather: exchange only the K // 2 halo values with the neighbours, with "
           "lax.ppermute (in-process rule).")
    expect(got.report.get("uses_ppermute") is True,
           "halo_conv1d never calls lax.ppermute: get the halo values from the neighbouring devices with it "
           "(in-process rule).")
    for name, given in ref.given.items():
        n, length, kernel = given["n"], given["length"], given["kernel"]
        call = (f"jax.pmap(halo_conv1d, axis_name='batch', in_axes=(0, None)) over {n} devices with chunks of "
                f"{length} and a kernel of length {len(kernel)} (halo {len(kernel) // 2})")
        mine = float_array(part(got.out, name), (n, length))
        expected = ref.out[name]
        if mine is not None and not np.allclose(mine, expected, rtol=1e-5, atol=1e-5):
            for what, variant in _halo_variants(given["signal"], kernel, n).items():
                expect(variant.shape != mine.shape or not np.allclose(mine, variant, rtol=1e-4, atol=1e-4),
                       f"{call}: the result is {what}.")
        expect_match(part(got.out, name), expected, exact_dtype=True, rtol=1e-5, atol=1e-5, call=call,
                     hint="send your last K // 2 values to device i + 1 and your first K // 2 to device i - 1, "
                          "with no pair that wraps around; pad with what you receive and convolve with mode='valid'.")


# ------------------------------------------------------------------------------------------ td0_update
def _full_gradient_step(given) -> dict:
    """The TD step with the gradient also flowing through the target (float64): the classic mistake."""
    w, b = given["params"]["w"].astype(np.float64), np.float64(given["params"]["b"])
    s, s_next, r = (given[k].astype(np.float64) for k in ("s", "s_next", "r"))
    gamma, lr = given["gamma"], given["lr"]
    delta = r + gamma * (s_next @ w + b) - (s @ w + b)
    return {"w": w - lr * np.mean(delta[:, None] * (gamma * s_next - s), 0), "b": b - lr * (gamma - 1) * delta.mean()}


@pytest.mark.task("pmap.td0_update")
def test_td0_update_is_the_semi_gradient(run):
    """Rejects: no stop_gradient (the full gradient through the target), the target built from V(s) instead of
    V(s_next), a sign error (ascent), sum instead of mean, a missing 0.5, ignoring gamma or lr, code that fails
    under jax.jit."""
    got, ref = run(probes.td0_runs)
    for name, given in ref.given.items():
        call = (f"td0_update(params, s, r, s_next, gamma={given['gamma']:.3f}, lr={given['lr']:.3f}) on "
                f"{len(given['r'])} random transitions with {len(given['params']['w'])} features"
                + (" under jax.jit" if name.endswith("jit") else ""))
        mine = part(got.out, name)
        if given["gamma"] > 0 and _flat_update(given["params"], mine) is not None:
            full = _full_gradient_step(given)
            detected = all(np.allclose(np.asarray(mine[k], np.float64), full[k], rtol=1e-4, atol=1e-6) for k in full)
            expect(not detected, f"{call}: the result is the full-gradient step: the gradient also flowed through "
                                 "the target r + gamma * V(s_next). Wrap the target in lax.stop_gradient.")
        expect_match(mine, ref.out[name], exact_dtype=True, rtol=1e-5, atol=1e-6, call=call,
                     hint="differentiate 0.5 * mean((target - V(s))**2) with the target held constant, then take one "
                          "SGD step.")


# ------------------------------------------------------------------------------------------ shard_map_sgd_step
@pytest.mark.task("pmap.shard_map_sgd_step")
def test_shard_map_step_is_the_single_device_step(run):
    """Rejects: pmean(grad(loss)) or grad with no collective inside shard_map (N times the gradient), no
    shard_map over the given mesh (a single-device computation, pmap, a mesh of its own: in-process rule), a mesh
    size written in, the loss after the update, float64 or per-device results."""
    got, ref = run(probes.shard_map_runs)
    for name, given in ref.given.items():
        n = given["n"]
        call = (f"shard_map_sgd_step(jax.make_mesh(({n},), ('batch',)), params, x, y, lr={given['lr']:.3f}) for "
                f"{given['rows']} rows of {given['d']} features")
        expect(part(got.report, name, "shard_map_on_mesh") is True,
               f"{call}: no jax.shard_map over the mesh given ran. Compute the loss and gradient inside jax.shard_map "
               "over `mesh`, with in_specs P('batch') for the batch and P() for the params (in-process rule).")
        mine = part(got.out, name)
        single = _reference_is_single_device(ref.out[name]["params"], ref.out[name]["loss"], given)
        ratio = _update_ratio(given["params"], part(mine, "params"), single)
        if ratio is not None:
            summed = (" (exactly what a gradient summed over the devices gives: inside shard_map the gradient with "
                      "respect to replicated P() params is already a sum)") if abs(ratio - n) < 1e-3 * n else ""
            expect(False, f"{call}: the update is {ratio:.4g} times the single-device full-batch SGD step{summed}.")
        expect_match(mine, ref.out[name], exact_dtype=True, rtol=2e-5, atol=2e-6,
                     call=call + " (against the single-device full-batch step)",
                     hint="new params = params - lr * the gradient of the mean squared error over the whole batch, "
                          "and the loss at params (before the update).")
