# Generated from solutions/pmap.py (sha256 eadce2c4b22e) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `pmap`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from pmap import *  # noqa: F401,F403  (the functions you write)


# Task pmap.device_summary
def test_device_summary_sees_simulated_devices():
    summary = device_summary()
    assert summary["count"] == jax.local_device_count(), (
        f"device_summary()['count'] is {summary['count']}, but jax.local_device_count() is {jax.local_device_count()}")
    assert summary["count"] >= 2, (
        "only 1 device visible: set XLA_FLAGS before importing jax (restart the kernel and run the first cell first)")
    assert len(summary["ids"]) == summary["count"], f"device_summary()['ids'] is {summary['ids']}: one id per device"


def test_device_summary_of_a_list():
    devices = jax.local_devices()
    summary = device_summary([devices[-1], devices[0]])
    expected_ids = [devices[-1].id, devices[0].id]
    assert summary["count"] == 2 and summary["ids"] == expected_ids, (
        f"device_summary([last device, first device]) gave {summary}; expected count 2 and ids {expected_ids}")


# Task pmap.shard_batch
def test_shard_batch_shapes_and_order():
    x = jnp.arange(24.0).reshape(8, 3)
    shards = shard_batch(x, 4)
    assert shards.shape == (4, 2, 3), f"shard_batch(x of shape (8, 3), 4) has shape {shards.shape}, expected (4, 2, 3)"
    assert jnp.array_equal(shards[1], x[2:4]), f"shard 1 is\n{shards[1]}\nexpected rows 2 and 3 of x:\n{x[2:4]}"


def test_shard_batch_rejects_uneven_batches():
    try:
        shard_batch(jnp.zeros((10, 2)), 4)
    except ValueError:
        return
    raise AssertionError("shard_batch(x with 10 rows, 4) did not raise ValueError: 10 rows do not split over 4 devices")


# Task pmap.replicate
def test_replicate_adds_a_device_axis():
    params = {"w": jnp.arange(3.0), "b": jnp.float32(0.5)}
    copies = replicate(params, 4)
    assert copies["w"].shape == (4, 3) and copies["b"].shape == (4,), (
        f"replicate(params, 4) gave shapes w {copies['w'].shape}, b {copies['b'].shape}; expected (4, 3) and (4,)")
    assert jnp.array_equal(copies["w"][2], params["w"]), "every copy must equal the original leaf"


# Task pmap.dp_sgd_step
def test_dp_sgd_step_matches_full_batch_under_vmap():
    params, x, y = toy_regression()
    copies = jax.tree.map(lambda a: jnp.broadcast_to(a, (4, *a.shape)), params)
    step = jax.vmap(dp_sgd_step, in_axes=(0, 0, 0, None), axis_name="batch")
    new, loss = step(copies, x.reshape(4, 4, 3), y.reshape(4, 4), 0.1)
    grads = jax.grad(mse_loss)(params, x, y)
    expected = params["w"] - 0.1 * grads["w"]
    assert jnp.allclose(new["w"], expected, atol=1e-5), (
        f"vmapped dp_sgd_step gave w =\n{new['w']}\non the 4 replicas, expected {expected} on each "
        "(the full-batch step)")
    expected_loss = mse_loss(params, x, y)
    assert jnp.allclose(loss, expected_loss), f"loss is {loss}, expected the full-batch loss {expected_loss}"


# Task pmap.global_accuracy
def test_global_accuracy_counts_rows_not_devices():
    labels = jnp.zeros((2, 4), jnp.int32)
    logits = jnp.stack([jnp.eye(2)[jnp.array([0, 0, 0, 0])], jnp.eye(2)[jnp.array([1, 1, 1, 0])]])
    valid = jnp.array([[True, True, True, True], [True, False, False, False]])
    metrics = jax.vmap(global_accuracy, axis_name="batch")(logits, labels, valid)
    assert metrics["count"].tolist() == [5, 5], f"count is {metrics['count']}, expected 5 on both devices"
    assert metrics["correct"].tolist() == [4, 4], f"correct is {metrics['correct']}, expected 4 on both devices"
    assert jnp.allclose(metrics["accuracy"], 0.8), (
        f"accuracy is {metrics['accuracy']}, expected 4 / 5 = 0.8 (not the mean of 1.0 and 0.0)")


# Task pmap.train_data_parallel
def test_train_data_parallel_equals_single_device_loop():
    params, x, y = toy_regression(n_rows=3 * 16)
    xs, ys = x.reshape(3, 16, 3), y.reshape(3, 16)
    trained, losses = train_data_parallel(dp_sgd_step, params, xs, ys, 0.1)
    expected = params
    for xb, yb in zip(xs, ys):
        expected = jax.tree.map(lambda p, g: p - 0.1 * g, expected, jax.grad(mse_loss)(expected, xb, yb))
    assert trained["w"].shape == (3,), f"the trained w has shape {trained['w'].shape}, expected (3,): return one copy"
    assert jnp.allclose(trained["w"], expected["w"], atol=1e-5), (
        f"after 3 data-parallel steps w is {trained['w']}, expected {expected['w']} (the single-device loop)")
    assert losses.shape == (3,), f"losses has shape {losses.shape}, expected (3,)"


# Task pmap.device_dropout
def test_device_dropout_differs_across_devices():
    n = jax.local_device_count()
    x = jnp.ones((n, 64))
    dropout = jax.pmap(device_dropout, in_axes=(None, 0, None), axis_name="batch")
    out = dropout(jax.random.key(0), x, 0.5)
    masks = out != 0
    assert not jnp.array_equal(masks[0], masks[1]), (
        "devices 0 and 1 drew the same dropout mask: each device needs a key of its own")
    again = dropout(jax.random.key(0), x, 0.5)
    assert jnp.array_equal(out, again), "the same key gave different results: draw only from the key"


# Task pmap.halo_conv1d
def test_halo_conv1d_matches_convolve():
    n = jax.local_device_count()
    signal = jnp.arange(3.0 * n) ** 2 / 10
    kernel = jnp.array([1.0, -2.0, 0.5])
    out = jax.pmap(halo_conv1d, axis_name="batch", in_axes=(0, None))(signal.reshape(n, 3), kernel)
    expected = jnp.convolve(signal, kernel, mode="same")
    assert jnp.allclose(out.reshape(-1), expected, atol=1e-4), (
        f"halo_conv1d on {n} devices gave\n{out.reshape(-1)}\nexpected jnp.convolve(signal, kernel, 'same') =\n"
        f"{expected}")


# Task pmap.td0_update
def test_td0_update_is_the_semi_gradient():
    # V(s) = 1 and V(s_next) = 2, so delta = 1 + 0.9 * 2 - 1 = 1.8.
    params = {"w": jnp.array([1.0, 2.0]), "b": jnp.float32(0.0)}
    s, s_next, r = jnp.array([[1.0, 0.0]]), jnp.array([[0.0, 1.0]]), jnp.array([1.0])
    new = td0_update(params, s, r, s_next, 0.9, 0.5)
    expected_w = jnp.array([1.0 + 0.5 * 1.8, 2.0])
    assert jnp.allclose(new["w"], expected_w), (
        f"td0_update gave w = {new['w']}, expected {expected_w}: only V(s) is differentiated, so w[1] "
        "(the weight of s_next's feature) must not move")


# Task pmap.shard_map_sgd_step
def test_shard_map_sgd_step_is_the_full_batch_step():
    params, x, y = toy_regression()
    mesh = jax.make_mesh((jax.device_count(),), ("batch",))
    new, loss = shard_map_sgd_step(mesh, params, x, y, 0.1)
    expected = params["w"] - 0.1 * jax.grad(mse_loss)(params, x, y)["w"]
    assert jnp.allclose(new["w"], expected, atol=1e-5), (
        f"shard_map_sgd_step gave w = {new['w']}, expected {expected} (the single-device full-batch step)")
    assert jnp.allclose(loss, mse_loss(params, x, y)), f"loss is {loss}, expected {mse_loss(params, x, y)}"
