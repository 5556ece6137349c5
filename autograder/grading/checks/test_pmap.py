"""Hidden checks for topic `pmap`.

Collectives are checked fast where possible: the student's per-device function runs under
``jax.vmap(..., axis_name="batch")`` on one device and is compared with a float64 full-batch oracle. The
checks that need real devices (a pmap step, the training loop, the halo exchange, shard_map) fail with
"only 1 device visible: set XLA_FLAGS before importing jax" when the process has a single device, instead
of a shape error. Docstrings list the classic mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.compare import expect, expect_match, tree_problem
from autograder.sandbox.probes import pmap as probes

ONE_DEVICE = ("only 1 device visible: set XLA_FLAGS before importing jax. Put "
              "os.environ['XLA_FLAGS'] = '--xla_force_host_platform_device_count=4' in the first cell, before "
              "`import jax`, then restart the kernel: XLA reads the flag once, when jax starts, and ignores it "
              "afterwards.")
LEADING_AXIS_ERRORS = ("cannot select an axis to squeeze out", "IndivisibleError", "evenly divide",
                       "inconsistent sizes", "partitioned")


def _needs_devices(got):
    expect(got.get("visible_devices") != 1, f"{ONE_DEVICE} This check runs on several devices and JAX sees one.")


def _close(a, b, rtol=1e-3, atol=1e-6) -> bool:
    return tree_problem(a, b, rtol=rtol, atol=atol) is None


def _replicas_identical(tree) -> bool:
    leaves = tree.values() if type(tree) is dict else []
    return all(type(leaf) is np.ndarray and leaf.ndim >= 1
               and np.allclose(leaf, leaf[:1], rtol=1e-6, atol=1e-7) for leaf in leaves)


def _first_replica(tree):
    return {k: (np.array(v[0]) if type(v) is np.ndarray and v.ndim >= 1 else v) for k, v in tree.items()}


def _update(old, new):
    """The step actually taken, old - new, per leaf (float64)."""
    return {k: np.asarray(np.asarray(old[k], np.float64) - np.asarray(new[k], np.float64)) for k in old}


def _judge_step(got, what, call):
    """Shared verdict of a data-parallel SGD step: replicas agree, no psum, equals the full-batch oracle."""
    new, n = got["new"], got["n"]
    expect(type(new) is dict and set(new) == {"w", "b"},
           f"{call} returned new params {new if type(new) is not dict else sorted(new)}; expected a dict with "
           "keys 'b' and 'w' like the params it was given.")
    expect(_replicas_identical(new),
           f"{call}: the replicas diverge: the {n} devices returned different new params. Each device used "
           "only its own shard's gradient (no collective): average them over devices with "
           f"lax.pmean(grads, '{probes.AXIS}') before the update, so every replica takes the same step.")
    first = _first_replica(new)
    oracle_update = _update(got["old"], got["oracle"])
    if tree_problem(first, got["oracle"], rtol=1e-6, atol=1e-6):
        scaled = {k: np.asarray(n * v) for k, v in oracle_update.items()}
        expect(not _close(_update(got["old"], first), scaled),
               f"{call}: the update is {n} times the full-batch SGD step, exactly what lax.psum gives: the "
               f"gradients were summed over the {n} devices where their mean is needed. Use lax.pmean "
               f"(psum divided by the number of devices) {what}.")
    expect_match(first, got["oracle"], call=call + " (replica 0 against the single-device full-batch step)",
                 hint="new_params = params - lr * pmean(grad of the local mean squared error).",
                 rtol=1e-6, atol=1e-6)
    loss = got["loss"]
    expect(type(loss) is np.ndarray and loss.shape == (n,),
           f"{call} returned a loss of shape {getattr(loss, 'shape', type(loss).__name__)}; expected one "
           "scalar per device.")
    if not np.allclose(loss, got["oracle_loss"], rtol=1e-5, atol=1e-6):
        expect(not np.allclose(loss, n * got["oracle_loss"], rtol=1e-4),
               f"{call}: the loss is {n} times the full-batch loss: it was summed over devices with "
               "lax.psum; average it with lax.pmean.")
    expect_match(loss, np.full(n, got["oracle_loss"], np.float32), call=call + " (the loss on each device)",
                 hint="return the global mean loss at params: lax.pmean of the local loss.")


@pytest.mark.task("pmap.device_summary")
def test_device_summary_sees_several_devices(run):
    """Rejects: XLA_FLAGS set after jax started (one device visible), a hard-coded count, ids that are not
    the local devices' ids, a platform string that is not the device's."""
    got, ref = run(probes.device_summary_report)
    summary = got["summary"]
    expect(type(summary) is dict and set(summary) == {"count", "platform", "ids"},
           f"device_summary() returned {summary!r}; expected a dict with keys 'count', 'platform' and 'ids'.")
    expect(summary["count"] != 1 and got["visible_devices"] != 1, ONE_DEVICE)
    expect_match(summary, ref["summary"], call="device_summary() in a process with "
                 f"{got['visible_devices']} simulated CPU devices",
                 hint="count = jax.local_device_count(), platform = jax.local_devices()[0].platform, "
                 "ids = [d.id for d in jax.local_devices()].")


@pytest.mark.task("pmap.shard_batch")
def test_shard_batch_layout(run):
    """Rejects: x.reshape(n, -1) (flattens the trailing axes), a strided split x.reshape(per, n, ...).swapaxes(0, 1)
    (shard i is not a block of consecutive rows), a changed dtype."""
    got, ref = run(probes.shard_batch_values)
    expect_match(got, ref, call="shard_batch(x, n) on random batches of shapes (B, 3), (B,), (B, 2, 2) and int32 "
                 "NumPy labels (12,) over 3 devices",
                 hint="reshape to (n, B // n, *x.shape[1:]): shard i holds rows i * B // n .. (i + 1) * B // n - 1.")


@pytest.mark.task("pmap.shard_batch")
def test_shard_batch_rejects_uneven_batches(run):
    """Rejects: silently dropping the remainder rows, padding, letting reshape raise TypeError, a ValueError
    whose message does not say which sizes clash."""
    got, _ = run(probes.shard_batch_uneven)
    rows, n = got["rows"], got["n"]
    expect(got["raised"] is not None,
           f"shard_batch(x with {rows} rows, {n}) did not raise ValueError but returned shape {got['shape']}: "
           f"{rows} rows do not split evenly over {n} devices. Dropping or padding rows silently changes the "
           "data; raise ValueError instead.")
    expect(got["raised"] == "ValueError",
           f"shard_batch(x with {rows} rows, {n}) did not raise ValueError; it raised {got['raised']}: "
           f"{got['message'][:200]}. Check x.shape[0] % n_devices yourself and raise ValueError.")
    message = got["message"]
    expect(str(rows) in message and str(n) in message,
           f"shard_batch raised ValueError({message[:200]!r}) for {rows} rows over {n} devices; make the "
           f"message name both numbers ({rows} and {n}) so the caller sees what to change.")


@pytest.mark.task("pmap.replicate")
def test_replicate_adds_a_leading_device_axis(run):
    """Rejects: jnp.tile / jnp.repeat along the existing first axis, the removed jax.device_put_replicated
    (AttributeError), changing the dtype or the tree structure."""
    got, ref = run(probes.replicate_values)
    n = got["n"]
    problem = tree_problem(got["shapes"], ref["shapes"])
    expect(problem is None,
           f"replicate(tree, {n}) returned leaves of the wrong shape: {problem}. Every leaf of shape s must become "
           f"(n_devices, *s) = ({n}, *s): add a new leading axis of copies (jnp.broadcast_to or jnp.stack); "
           "jnp.tile and jnp.repeat lengthen the existing first axis instead.")
    expect_match(got["tree"], ref["tree"], call=f"replicate(tree, {n}) on a nested dict/list of float32 and int32 leaves",
                 hint="jax.tree.map(lambda a: jnp.broadcast_to(a, (n, *a.shape)), tree) keeps dtypes and structure.")


@pytest.mark.task("pmap.dp_sgd_step")
def test_dp_sgd_step_equals_full_batch_step_under_vmap(run):
    """Rejects: lax.psum of the gradients (N times the step), no collective (replicas diverge), grad of a
    pmean'd loss under pmap/vmap (local gradient / N), averaging parameters instead of gradients."""
    got, _ = run(probes.dp_step_vmap)
    _judge_step(got, "on the gradients", call="jax.vmap(dp_sgd_step, in_axes=(0, 0, 0, None), axis_name='batch') "
                "over 4 replicas of random params and shards")


@pytest.mark.task("pmap.dp_sgd_step")
def test_dp_sgd_step_under_real_pmap(run):
    """Rejects: code that only works under vmap, and the mistakes above on real (simulated) devices."""
    got, _ = run(probes.dp_step_pmap)
    _needs_devices(got)
    _judge_step(got, "on the gradients", call=f"jax.pmap(dp_sgd_step, axis_name='batch', in_axes=(0, 0, 0, None)) "
                f"on {got['n']} devices")


@pytest.mark.task("pmap.global_accuracy")
def test_global_accuracy_sums_counts(run):
    """Rejects: pmean of per-device accuracies (wrong when devices count different numbers of valid rows),
    counting padding rows, psum of the accuracies, forgetting the collective (a per-device result)."""
    got, _ = run(probes.global_accuracy_vmap)
    metrics, n = got["metrics"], got["n"]
    expect(type(metrics) is dict and set(metrics) == {"correct", "count", "accuracy"},
           f"global_accuracy returned {metrics if type(metrics) is not dict else sorted(metrics)}; expected a "
           "dict with keys 'accuracy', 'correct' and 'count'.")
    accuracy = metrics["accuracy"]
    if type(accuracy) is np.ndarray and accuracy.shape == (n,) and not np.allclose(accuracy, got["accuracy"]):
        expect(not np.allclose(accuracy, got["mean_of_device_accuracies"], rtol=1e-5),
               f"global_accuracy gave accuracy {accuracy[0]:.4f}, the average of the per-device accuracies, but the "
               f"global accuracy is {got['correct']} / {got['count']} = {got['accuracy']:.4f}: devices have "
               "different numbers of valid rows, so averaging their ratios weights devices, not rows. lax.psum the "
               "correct and valid counts, then divide.")
    expected = {"correct": np.full(n, got["correct"], np.int32), "count": np.full(n, got["count"], np.int32),
                "accuracy": np.full(n, got["accuracy"], np.float32)}
    expect_match(metrics, expected, call="jax.vmap(global_accuracy, axis_name='batch') over 4 devices with 8 rows "
                 "each and different numbers of valid rows",
                 hint="hits = (argmax == label) & valid; correct = psum(sum(hits)), count = psum(sum(valid)); "
                 "the same totals on every device.")


@pytest.mark.task("pmap.train_data_parallel")
def test_train_loop_matches_single_device_loop(run):
    """Rejects: the global batch passed to pmap without reshaping (cryptic pmap errors, explained here),
    a hard-coded device count, unreplicated params with in_axes=0, returning all replicas, losses of the
    wrong shape, re-initialising params each step."""
    got, _ = run(probes.train_loop_pmap)
    _needs_devices(got)
    n, rows, shard = got["visible_devices"], got["batch_rows"], got["per_device_shape"]
    error = got["error"]
    if error is not None:
        expect(not any(text in error for text in LEADING_AXIS_ERRORS),
               f"train_data_parallel raised {error[:300]}. That is pmap refusing the leading axis: the batch was "
               f"not reshaped. pmap maps over axis 0, one slice per device, so each global batch of {rows} rows "
               f"must become (n_devices, {rows} // n_devices, ...) = ({n}, {shard[0]}, ...) before the call "
               "(and the params need a leading axis of n_devices copies).")
        expect(False, f"train_data_parallel raised {error}. Read the docstring again: pmap the given step with "
               "axis_name='batch' and in_axes=(0, 0, 0, None).")
    expect(all(size == n for size in got["axis_sizes"]),
           f"The step ran on {got['axis_sizes']} devices, expected all {n} local devices: use "
           "jax.local_device_count() instead of a fixed number.")
    shapes = got["x_shapes"]
    expect(shapes == [shard],
           f"The step was traced with per-device x of shape {shapes}, expected {shard}: the batch was not reshaped "
           f"to (n_devices, B // n_devices, ...) over all {n} devices (jax.local_device_count()).")
    expect_match(got["params"], got["oracle"], call=f"train_data_parallel(step, params, xs, ys, lr) for 4 steps on "
                 f"{n} devices (against the single-device SGD loop on the same global batches)",
                 hint="replicate params once, keep the replicated params between steps, return replica 0.",
                 rtol=1e-5, atol=1e-5)
    expect_match(got["losses"], got["oracle_losses"].astype(np.float32),
                 call="the losses returned by train_data_parallel (one per step, from replica 0)",
                 hint="collect the loss the pmapped step returns at each step and stack them into shape (k,).",
                 rtol=1e-5, atol=1e-5)


@pytest.mark.task("pmap.device_dropout")
def test_device_dropout_masks_differ_per_device(run):
    """Rejects: the same key on every device (identical masks), np.random (not reproducible), a mask that
    ignores rate or uses it as the keep probability, no 1 / (1 - rate) scaling."""
    got, _ = run(probes.dropout_vmap)
    expect(got["shape"] == got["expected_shape"],
           f"device_dropout returned shape {got['shape']} under vmap, expected {got['expected_shape']} (x's shape).")
    expect(got["distinct_masks"] == got["n"],
           f"Only {got['distinct_masks']} different dropout mask(s) on {got['n']} devices: every device drew the "
           "same dropout mask from the shared key, so the noise is identical across the global batch. Derive a "
           "per-device key with jax.random.fold_in(key, lax.axis_index('batch')).")
    expect(got["reproducible"] is True,
           "device_dropout gave different results for the same key: draw all randomness from the key.")
    expect(got["other_key_differs"] is True, "Two different keys gave the same masks: use the key you were given.")
    p, size = got["keep_prob"], got["entries"]
    sigma = (p * (1 - p) / size) ** 0.5
    expect(abs(got["keep_rate"] - p) < 5 * sigma,
           f"The fraction of kept entries is {got['keep_rate']:.3f}, expected about 1 - rate = {p:.3f}: rate is the "
           "probability of dropping an entry.")
    expect(got["kept_scaled"] is True,
           "Kept entries are not x / (1 - rate): inverted dropout scales what it keeps so the expected value "
           "stays x.")


@pytest.mark.task("pmap.halo_conv1d")
def test_halo_conv1d_equals_convolve(run):
    """Rejects: no halo exchange (chunks convolved on their own), a cyclic ppermute that wraps the ends of
    the signal around, correlation instead of convolution (kernel not flipped), all_gather of the whole
    signal instead of a ppermute."""
    got, _ = run(probes.halo_conv_pmap)
    _needs_devices(got)
    out, oracle, chunk, halo = got["out"], got["oracle"], got["chunk"], got["halo"]
    n = got["visible_devices"]
    expect(type(out) is np.ndarray and out.shape == oracle.shape,
           f"halo_conv1d returned chunks of total shape {getattr(out, 'shape', None)}, expected {oracle.shape} "
           f"({n} devices x {chunk}).")
    bad = ~np.isclose(out, oracle, rtol=1e-4, atol=1e-5)
    if bad.any():
        positions = np.flatnonzero(bad)
        offset = positions % chunk
        near_edge = (offset < halo) | (offset >= chunk - halo)
        at_ends = (positions < halo) | (positions >= len(out) - halo)
        call = (f"jax.pmap(halo_conv1d, axis_name='batch', in_axes=(0, None)) on {n} devices, chunks of {chunk}, "
                f"a kernel of {2 * halo + 1}")
        expect(not (near_edge.all() and not at_ends.all()),
               f"{call}: wrong within {halo} of the boundaries between devices (positions {positions[:8].tolist()}): "
               f"the halo is missing. Each device needs the last {halo} values of its left neighbour and the first "
               f"{halo} of its right neighbour: exchange them with lax.ppermute before convolving.")
        expect(not at_ends.all(),
               f"{call}: wrong only at the two ends of the whole signal (positions {positions.tolist()}): the halo "
               "wraps around from the other end. The signal is zero-padded: leave out the pairs (n - 1, 0) and "
               "(0, n - 1) from the ppermute permutations, so the end devices receive zeros.")
        expect_match(out, oracle.astype(np.float32), call=call, rtol=1e-4, atol=1e-5,
                     hint="jnp.convolve flips the kernel (a true convolution); convolve [left halo, x_local, right "
                     "halo] with mode='valid'.")
    expect(got["uses_ppermute"] is True,
           "halo_conv1d gives the right numbers but its program has no ppermute"
           + (" (it gathers the whole signal with all_gather)" if got["uses_all_gather"] else "")
           + ": exchange only the halos with neighbouring devices using lax.ppermute.")


@pytest.mark.task("pmap.td0_update")
def test_td0_update_is_the_semi_gradient(run):
    """Rejects: no stop_gradient (the full gradient, which also moves V(s_next)), a sign error (moving away
    from the target), a missing gamma, a loss without the 0.5 factor (twice the step)."""
    got, _ = run(probes.td0_values)
    for name in ("eager", "jit"):
        if tree_problem(got[name], got["semi"], rtol=1e-5, atol=1e-6):
            expect(tree_problem(got[name], got["full"], rtol=1e-5, atol=1e-6) is not None,
                   "td0_update took the full-gradient step: the gradient also flowed through the target "
                   "r + gamma * V(s_next), so the update moves V(s_next) towards V(s) as well. Wrap the target in "
                   "lax.stop_gradient so only V(s) is differentiated (the semi-gradient).")
        expect_match(got[name], got["semi"], call=f"td0_update on 8 random transitions ({name})",
                     hint="target = lax.stop_gradient(r + gamma * value(p, s_next)); loss = 0.5 * mean((target - "
                     "value(p, s))**2); params - lr * grad.")


@pytest.mark.task("pmap.shard_map_sgd_step")
def test_shard_map_step_equals_full_batch_step(run):
    """Rejects: pmean(grad(loss)) inside shard_map with check_vma=True (N times the gradient: the gradient
    with respect to P() params is already summed), grad with no collective inside shard_map (also N times),
    unsharded inputs on an Explicit mesh, a plain jit step without shard_map."""
    got, _ = run(probes.shard_map_step)
    _needs_devices(got)
    n = got["n"]
    call = f"shard_map_sgd_step(mesh, params, x, y, lr) on a {n}-device mesh from jax.make_mesh"
    error = got["error"]
    if error is not None:
        expect("does not match the specs of the input" not in error,
               f"{call} raised {error[:300]}. jax.make_mesh makes Explicit axes, so shard_map checks that x is "
               "already split as in_specs says instead of moving it: put x and y on the mesh first with "
               "jax.device_put(x, NamedSharding(mesh, P('batch'))).")
        expect(False, f"{call} raised {error}. Jit the differentiated shard_map (eager autodiff across an Explicit "
               "mesh needs jax.set_mesh) and check the specs.")
    new = got["new"]
    expect(type(new) is dict and set(new) == {"w", "b"},
           f"{call} returned new params {new if type(new) is not dict else sorted(new)}; expected keys 'b' and 'w'.")
    if tree_problem(new, got["oracle"], rtol=1e-6, atol=1e-6):
        scaled = {k: np.asarray(n * v) for k, v in _update(got["old"], got["oracle"]).items()}
        expect(not _close(_update(got["old"], new), scaled),
               f"{call}: the update is {n} times the full-batch step. Inside jax.shard_map (check_vma=True) the "
               "gradient with respect to replicated P() params is already summed over the devices (the implicit "
               "pcast of params transposes to a psum), so pmean(grad(loss)) gives N times the gradient. Take "
               "jax.grad of a shard_mapped loss that ends in lax.pmean, or divide the in-shard gradient by "
               "lax.axis_size('batch').")
    expect_match(new, got["oracle"], call=call + " (against the single-device full-batch step)", rtol=1e-6, atol=1e-6,
                 hint="jax.grad of shard_map(lambda p, x, y: lax.pmean(mse_loss(p, x, y), 'batch'), ...) from outside.")
    expect_match(got["loss"], np.array(got["oracle_loss"], np.float32),
                 call=call + " (the loss)", hint="return the full-batch loss at params (before the update).")
    expect(got["uses_shard_map"] is True,
           f"{call} gives the right numbers, but its program has no shard_map: compute the loss and gradient "
           "inside jax.shard_map over the mesh, with in_specs P('batch') for the batch and P() for params.")
