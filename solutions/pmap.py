"""Data parallelism with pmap: shard the batch, replicate the parameters, average the gradients.

Learning goals
--------------
- Simulate several devices on a CPU-only machine (``XLA_FLAGS`` set before jax starts) and read them with
  ``jax.local_devices()`` and ``jax.local_device_count()``.
- Shard a global batch to ``(n_devices, per_device, ...)`` and replicate parameters along a device axis.
- Write per-device (SPMD) functions for ``jax.pmap``: average gradients with ``lax.pmean`` so replicas stay
  identical and the step equals the single-device full-batch step; sum counts with ``lax.psum`` for a
  global metric; run a complete data-parallel training loop.
- Draw different random numbers on each device with ``fold_in(key, lax.axis_index(...))``.
- Exchange halos between neighbouring devices with ``lax.ppermute`` (a 1D convolution split across devices).
- Stop gradients through a bootstrapped target with ``lax.stop_gradient`` (TD(0) value learning).
- Write the same data-parallel step with ``jax.shard_map`` over a ``Mesh``, and know why
  ``pmean(grad(loss))`` gives N times the gradient there.

Out of scope: multi-host training, model and pipeline parallelism, ``jax.jit`` with sharded arrays (the next
topic, ``sharding``, teaches that modern path: ``NamedSharding``, ``jax.jit`` and ``shard_map`` on a mesh),
optimisers other than plain SGD (topic ``optimizers``).
"""

# %%
import os

# Simulated devices. XLA reads this flag once, when jax starts its backend: it must be set before the
# first `import jax` of the process (restart the kernel if jax already ran). Then jax sees 4 CPU devices.
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402
from jax.sharding import NamedSharding, PartitionSpec as P  # noqa: E402

AXIS = "batch"  # the axis name that every collective in this notebook refers to


def predict(params: dict, x: jax.Array) -> jax.Array:
    """The linear model used throughout: ``x @ w + b`` for params ``{"w": (d,), "b": ()}``."""
    return x @ params["w"] + params["b"]


def mse_loss(params: dict, x: jax.Array, y: jax.Array) -> jax.Array:
    """Mean squared error of ``predict`` on the rows of ``x`` (shape ``(b, d)``) against ``y`` (``(b,)``)."""
    return jnp.mean((predict(params, x) - y) ** 2)


def toy_regression(n_rows: int = 16, d: int = 3, seed: int = 0):
    """Zero parameters and a small noiseless regression problem ``(params, x, y)`` for trying things out."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_rows, d)).astype(np.float32)
    y = x @ rng.normal(size=d).astype(np.float32) + np.float32(0.3)
    return {"w": jnp.zeros(d), "b": jnp.float32(0.0)}, jnp.asarray(x), jnp.asarray(y)


# %% [markdown]
# ## Devices
#
# `jax.pmap` runs the same function on several devices at once (SPMD: single program, multiple data). A
# CPU-only machine has one device, but XLA can pretend to have more: the first cell sets
# `XLA_FLAGS=--xla_force_host_platform_device_count=4` **before** `import jax`. XLA reads the flag once,
# when the backend starts; change it later and nothing happens. `jax.config.update("jax_num_cpu_devices", 4)`
# right after the import is the newer spelling, and it raises instead of staying silent when it comes too late:
#
# ```python
# >>> jax.local_device_count()
# 4
# >>> saved = os.environ["XLA_FLAGS"]
# >>> os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"   # jax has started: ignored
# >>> jax.local_device_count()
# 4
# >>> os.environ["XLA_FLAGS"] = saved
# >>> jax.config.update("jax_num_cpu_devices", 8)
# Traceback (most recent call last):
# RuntimeError: jax_num_cpu_devices config should be updated before backends are initialized ...
# ```
#
# In a fresh process, without the flag, the config option works when it comes first:
#
# ```python
# >>> import subprocess, sys
# >>> fresh = "import jax; jax.config.update('jax_num_cpu_devices', 3); print(jax.local_device_count())"
# >>> subprocess.run([sys.executable, "-c", fresh], env={**os.environ, "XLA_FLAGS": ""},
# ...                capture_output=True, text=True).stdout
# '3\n'
# ```
#
# Every device is an object with an `.id` and a `.platform`:
#
# ```python
# >>> [(device.id, device.platform) for device in jax.local_devices()]
# [(0, 'cpu'), (1, 'cpu'), (2, 'cpu'), (3, 'cpu')]
# ```

# %%
def device_summary(devices=None) -> dict:
    """Task pmap.device_summary: describe a list of devices, by default every device this process can use.

    Args:
        devices: a non-empty list of ``jax.Device`` objects (any of the local devices, in any order), or
            ``None`` for all of them, as ``jax.local_devices()`` lists them.

    Returns:
        A dict with three entries:

        - ``"count"``: how many devices, a Python int (for ``None``: ``jax.local_device_count()``);
        - ``"platform"``: the platform of the first device, e.g. ``"cpu"`` (a str);
        - ``"ids"``: the ``.id`` of every device, in the order of the list (a list of Python ints).
    """
    ### BEGIN SOLUTION
    # local_devices is what pmap maps over by default; jax.devices() would include other hosts' devices.
    devices = jax.local_devices() if devices is None else list(devices)
    return {"count": len(devices), "platform": devices[0].platform, "ids": [int(device.id) for device in devices]}
    ### END SOLUTION


# %% checks="pmap.device_summary"
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


# %% [markdown]
# ## Sharding a batch, replicating parameters
#
# `jax.pmap(f)` maps `f` over the **leading axis** of its inputs, one slice per device, and `f` sees the
# slice without that axis. So a global batch of `B` rows must be reshaped to `(n_devices, B // n_devices, ...)`
# first, and the parameters, which every device needs whole, get a leading axis of `n_devices` identical
# copies (or are passed with `in_axes=None`). Hand `pmap` the global batch itself and its error does not say
# what went wrong:
#
# ```python
# >>> jax.pmap(lambda shard: shard.sum())(jnp.arange(12.0).reshape(4, 3))    # 4 slices, one per device
# Array([ 3., 12., 21., 30.], dtype=float32)
# >>> jax.pmap(lambda shard: shard.sum())(jnp.arange(12.0).reshape(12, 1))   # 12 rows, 4 devices
# Traceback (most recent call last):
# ValueError: cannot select an axis to squeeze out which has size not equal to one, got shape=(3, 1) ...
# ```
#
# In the `sharding` topic you will meet the modern way: `jax.device_put(x, NamedSharding(mesh, P("batch")))`
# splits the rows over the devices while the array keeps its global shape, with no reshape:
#
# ```python
# >>> mesh = jax.make_mesh((4,), ("batch",))
# >>> rows = jax.device_put(jnp.arange(16.0).reshape(8, 2), NamedSharding(mesh, P("batch")))
# >>> rows.shape, [shard.data.shape for shard in rows.addressable_shards]
# ((8, 2), [(2, 2), (2, 2), (2, 2), (2, 2)])
# ```

# %%
def shard_batch(x, n_devices: int) -> jax.Array:
    """Task pmap.shard_batch: split a global batch into equal per-device shards for ``jax.pmap``.

    Args:
        x: a JAX or NumPy array of shape ``(B, ...)``, ``B >= 1``, of any dtype.
        n_devices: the number of shards, a positive Python int (``1`` and ``B`` itself included).

    Returns:
        A JAX array (also when ``x`` is a NumPy array) of shape ``(n_devices, B // n_devices, ...)`` with the
        dtype of ``x``, where shard ``i`` holds the consecutive rows ``x[i * per_device:(i + 1) * per_device]``;
        so ``result.reshape(x.shape)`` gives ``x`` back.

    Raises:
        ValueError: when ``B`` is not divisible by ``n_devices`` (``B < n_devices`` included), with a message
        that names both numbers (for example "a batch of 10 rows does not split evenly over 4 devices").
        Never drop or pad rows.
    """
    ### BEGIN SOLUTION
    x = jnp.asarray(x)
    rows = x.shape[0]
    if rows % n_devices:
        # Say it here: pmap's own error for this case is IndivisibleError or a squeeze error.
        raise ValueError(f"a batch of {rows} rows does not split evenly over {n_devices} devices; "
                         f"use a batch size divisible by {n_devices}")
    # Row-major reshape keeps consecutive rows together: device i gets rows i*per .. (i+1)*per - 1.
    return x.reshape(n_devices, rows // n_devices, *x.shape[1:])
    ### END SOLUTION


# %% checks="pmap.shard_batch"
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


# %% [markdown]
# `jax.device_put_replicated`, which copied an array to every device, is gone from JAX 0.10: build the copies
# yourself. (In the `sharding` topic, replication needs no leading axis at all: `NamedSharding(mesh, P())`
# keeps **one** logical array of the original shape, with a copy on every device.)
#
# ```python
# >>> hasattr(jax, "device_put_replicated")
# False
# >>> w = jax.device_put(jnp.arange(3.0), NamedSharding(mesh, P()))
# >>> w.shape, w.sharding.is_fully_replicated, len(w.addressable_shards)
# ((3,), True, 4)
# ```

# %%
def replicate(tree, n_devices: int):
    """Task pmap.replicate: give every leaf of a pytree a leading device axis of ``n_devices`` copies.

    Args:
        tree: a pytree (dicts, lists, tuples) of JAX or NumPy arrays of any shape (0-d included) and dtype,
            e.g. model parameters.
        n_devices: the number of copies, a positive Python int (``1`` included).

    Returns:
        A pytree with the same structure whose leaves are JAX arrays (also for NumPy leaves): a leaf of
        shape ``s`` becomes an array of shape ``(n_devices, *s)`` with the same dtype, every ``[i]`` slice
        equal to the original leaf. This is what ``jax.pmap(..., in_axes=0)`` expects for parameters.
    """
    ### BEGIN SOLUTION
    # broadcast_to adds a new leading axis of copies; tile or repeat would lengthen the existing first axis.
    return jax.tree.map(lambda leaf: jnp.broadcast_to(jnp.asarray(leaf), (n_devices, *jnp.shape(leaf))), tree)
    ### END SOLUTION


# %% checks="pmap.replicate"
def test_replicate_adds_a_device_axis():
    params = {"w": jnp.arange(3.0), "b": jnp.float32(0.5)}
    copies = replicate(params, 4)
    assert copies["w"].shape == (4, 3) and copies["b"].shape == (4,), (
        f"replicate(params, 4) gave shapes w {copies['w'].shape}, b {copies['b'].shape}; expected (4, 3) and (4,)")
    assert jnp.array_equal(copies["w"][2], params["w"]), "every copy must equal the original leaf"


# %% [markdown]
# ## One data-parallel SGD step
#
# Inside `jax.pmap(step, axis_name="batch")` each device computes the gradient of the loss on **its own
# shard**. Left alone, the replicas would take different steps and drift apart. `lax.pmean(grads, "batch")`
# averages the gradients over all devices, so every replica applies the same update; with equal shard sizes,
# the mean of the per-shard mean losses is the mean over the whole batch, so the averaged gradient equals the
# single-device full-batch gradient. `lax.psum` sums instead: right for counts, N times too big for a mean.
#
# A per-device function can also be tested without devices: `jax.vmap(step, axis_name="batch")` binds the
# same axis name, and the collectives work across the vmapped axis, of any size:
#
# ```python
# >>> per_device = jnp.array([1.0, 2.0, 3.0, 6.0])
# >>> jax.vmap(lambda v: (lax.psum(v, "batch"), lax.pmean(v, "batch")), axis_name="batch")(per_device)
# (Array([12., 12., 12., 12.], dtype=float32), Array([3., 3., 3., 3.], dtype=float32))
# >>> jax.pmap(lambda v: lax.pmean(v, "batch"), axis_name="batch")(per_device)
# Array([3., 3., 3., 3.], dtype=float32)
# ```
#
# Average the **gradients**, not the loss you differentiate: under `pmap`, `jax.grad` of a `pmean`ed loss
# gives every device only its own gradient (here, d/dw of `pmean(w * x)` is each device's own `x`):
#
# ```python
# >>> jax.pmap(lambda x: jax.grad(lambda w: lax.pmean(w * x, "batch"))(1.0), axis_name="batch")(per_device)
# Array([1., 2., 3., 6.], dtype=float32, weak_type=True)
# ```
#
# This is where the modern API differs most. With `jax.jit` on a batch laid out by a `NamedSharding` there is
# no per-device function at all: the gradient of the mean loss over the global batch is the full-batch
# gradient, with no `pmean` written (the compiler adds the all-reduce; the `sharding` topic shows it in the
# compiled program). And under `jax.shard_map` the rule above turns around: see this lesson's last section.
#
# ```python
# >>> spread = jax.device_put(per_device, NamedSharding(mesh, P("batch")))     # one array, a value per device
# >>> jax.jit(jax.grad(lambda w, x: jnp.mean(w * x)))(1.0, spread)             # the mean of x: no pmean
# Array(3., dtype=float32, weak_type=True)
# ```

# %%
def dp_sgd_step(params: dict, x: jax.Array, y: jax.Array, lr: float) -> tuple[dict, jax.Array]:
    """Task pmap.dp_sgd_step: one data-parallel SGD step of the linear model, written per device.

    It is called on every device at once, e.g.
    ``jax.pmap(dp_sgd_step, axis_name="batch", in_axes=(0, 0, 0, None))(replicated_params, xs, ys, lr)``,
    or the same under ``jax.vmap`` with ``axis_name="batch"``; both must work, for any number of devices
    (the size of the mapped axis). Collectives use the axis name ``"batch"``.

    Args:
        params: this device's copy of ``{"w": float32 (d,), "b": float32 ()}``; all copies are equal.
        x: this device's shard of the batch, float32 ``(b, d)``; y: its targets, float32 ``(b,)``. Every
            device holds the same number of rows ``b``.
        lr: the learning rate, a float scalar, the same on every device (under ``jax.pmap`` with
            ``in_axes=None`` it arrives as a traced value).

    Returns:
        ``(new_params, loss)``: ``new_params = params - lr * g`` (float32, same structure) where ``g`` is the
        gradient of ``mse_loss`` over the **whole** global batch (all devices' rows), and ``loss`` is that
        global ``mse_loss`` at ``params`` (before the update), a float32 scalar. Both are identical on every
        device.
    """
    ### BEGIN SOLUTION
    loss, grads = jax.value_and_grad(mse_loss)(params, x, y)
    # pmean, not psum: equal shards make the mean of the shard gradients the full-batch gradient,
    # and every replica receives the same average, so the copies never drift apart.
    grads = lax.pmean(grads, axis_name=AXIS)
    loss = lax.pmean(loss, axis_name=AXIS)
    new_params = jax.tree.map(lambda p, g: p - lr * g, params, grads)
    return new_params, loss
    ### END SOLUTION


# %% checks="pmap.dp_sgd_step"
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


# %% [markdown]
# ## Global metrics: `psum` the counts
#
# Averaging per-device accuracies is only right when every device scored the same number of examples.
# With padding (the last batch of an epoch rarely divides evenly) some rows are invalid, and the honest
# global accuracy is *total correct / total counted*: `psum` both numbers, then divide. A `psum` of int32
# counts stays int32:
#
# ```python
# >>> jax.vmap(lambda count: lax.psum(count, "batch"), axis_name="batch")(jnp.array([3, 0, 2], jnp.int32))
# Array([5, 5, 5], dtype=int32)
# ```

# %%
def global_accuracy(logits: jax.Array, labels: jax.Array, valid: jax.Array) -> dict:
    """Task pmap.global_accuracy: accuracy over every device's valid examples, written per device.

    Called like ``dp_sgd_step``: under ``jax.pmap`` or ``jax.vmap`` with ``axis_name="batch"``, for any number
    of devices; both must work.

    Args:
        logits: this device's float32 ``(b, C)`` scores; the prediction is the argmax over ``C``.
        labels: int32 ``(b,)`` true classes.
        valid: bool ``(b,)``, False for padding rows, which must not be counted at all. Devices may have
            different numbers of valid rows, and a device may have none (some device always has one).

    Returns:
        ``{"correct": int32 scalar, "count": int32 scalar, "accuracy": float32 scalar}``: the number of
        valid rows predicted correctly and the number of valid rows, both summed over **all** devices, and
        ``correct / count``. Identical on every device.
    """
    ### BEGIN SOLUTION
    hits = (jnp.argmax(logits, axis=-1) == labels) & valid
    # Sum the raw counts across devices; a pmean of per-device accuracies would weight devices, not rows.
    correct = lax.psum(jnp.sum(hits, dtype=jnp.int32), AXIS)
    count = lax.psum(jnp.sum(valid, dtype=jnp.int32), AXIS)
    return {"correct": correct, "count": count, "accuracy": (correct / count).astype(jnp.float32)}
    ### END SOLUTION


# %% checks="pmap.global_accuracy"
def test_global_accuracy_counts_rows_not_devices():
    labels = jnp.zeros((2, 4), jnp.int32)
    logits = jnp.stack([jnp.eye(2)[jnp.array([0, 0, 0, 0])], jnp.eye(2)[jnp.array([1, 1, 1, 0])]])
    valid = jnp.array([[True, True, True, True], [True, False, False, False]])
    metrics = jax.vmap(global_accuracy, axis_name="batch")(logits, labels, valid)
    assert metrics["count"].tolist() == [5, 5], f"count is {metrics['count']}, expected 5 on both devices"
    assert metrics["correct"].tolist() == [4, 4], f"correct is {metrics['correct']}, expected 4 on both devices"
    assert jnp.allclose(metrics["accuracy"], 0.8), (
        f"accuracy is {metrics['accuracy']}, expected 4 / 5 = 0.8 (not the mean of 1.0 and 0.0)")


# %% [markdown]
# ## The whole loop
#
# Put it together: read the device count, replicate the parameters **once**, build the pmapped step
# **once**, and for every global batch shard it and call the step. What `pmap` returns stays on the devices,
# one slice on each, so the replicated parameters need no copying between steps; take replica 0 at the end.
# With `pmean` in the step, the result equals a single-device loop over the same global batches.
#
# ```python
# >>> out = jax.pmap(lambda v: 2 * v)(jnp.ones((4, 3)))
# >>> out.shape, len(out.devices())
# ((4, 3), 4)
# ```
#
# With `jax.jit` on sharded arrays there is no replica to pick: a result laid out by `NamedSharding(mesh, P())`
# is one array of its own shape, with a copy on every device (the `sharding` topic):
#
# ```python
# >>> doubled = jax.jit(lambda v: 2 * v)(jax.device_put(jnp.arange(3.0), NamedSharding(mesh, P())))
# >>> doubled.shape, doubled.sharding.is_fully_replicated, len(doubled.addressable_shards)
# ((3,), True, 4)
# ```

# %%
def train_data_parallel(step, params: dict, xs, ys, lr: float) -> tuple[dict, jax.Array]:
    """Task pmap.train_data_parallel: ``k`` data-parallel SGD steps with ``jax.pmap`` on every local device.

    Args:
        step: a per-device step with the signature and collectives of ``dp_sgd_step``:
            ``step(params, x, y, lr) -> (new_params, loss)``, using axis name ``"batch"``. Call the ``step``
            you are given, whatever it is (it need not be ``dp_sgd_step``).
        params: one copy of the parameters, ``{"w": (d,), "b": ()}`` float32.
        xs: float32 ``(k, B, d)``, ys: float32 ``(k, B)``: ``k >= 1`` global batches, ``B`` divisible by
            ``jax.local_device_count()``.
        lr: the learning rate, a Python float (the same on every device).

    Returns:
        ``(params, losses)``: the parameters after the ``k`` steps as one copy (the structure, shapes and
        dtypes of the input ``params``), and a float32 array ``(k,)`` of the loss ``step`` reported at each
        step.

    Run ``step`` under ``jax.pmap(step, axis_name="batch", ...)`` on all ``jax.local_device_count()``
    devices, each global batch split into one equal shard per device (``shard_batch`` and ``replicate``
    may be used).
    """
    ### BEGIN SOLUTION
    n_devices = jax.local_device_count()
    # lr is the same everywhere: in_axes=None broadcasts it instead of expecting a device axis.
    parallel_step = jax.pmap(step, axis_name=AXIS, in_axes=(0, 0, 0, None))
    replicated = replicate(params, n_devices)
    losses = []
    for x, y in zip(xs, ys):
        # pmap maps over the leading axis, one slice per device: the batch must be (n_devices, B // n_devices, ...).
        replicated, loss = parallel_step(replicated, shard_batch(x, n_devices), shard_batch(y, n_devices), lr)
        losses.append(loss[0])
    # pmean kept the replicas identical, so replica 0 speaks for all of them.
    return jax.tree.map(lambda a: a[0], replicated), jnp.stack(losses).astype(jnp.float32)
    ### END SOLUTION


# %% checks="pmap.train_data_parallel"
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


# %% [markdown]
# ## Different random numbers on each device
#
# Pass the same key to every device and each one draws the **same** numbers: "independent" dropout noise
# would be perfectly correlated across the global batch. Derive a per-device key inside the mapped function
# with `jax.random.fold_in(key, lax.axis_index("batch"))`: different on every device, reproducible from the key.
#
# ```python
# >>> same = jax.pmap(lambda key, _: jax.random.uniform(key), in_axes=(None, 0))(jax.random.key(0), jnp.zeros(4))
# >>> len(set(same.tolist()))
# 1
# >>> def per_device(key, _):
# ...     return jax.random.uniform(jax.random.fold_in(key, lax.axis_index("batch")))
# >>> draws = jax.pmap(per_device, axis_name="batch", in_axes=(None, 0))(jax.random.key(0), jnp.zeros(4))
# >>> len(set(draws.tolist()))
# 4
# ```

# %%
def device_dropout(key: jax.Array, x: jax.Array, rate: float) -> jax.Array:
    """Task pmap.device_dropout: inverted dropout with a different mask on every device, written per device.

    Called under ``jax.pmap`` with ``axis_name="batch"`` and ``in_axes=(None, 0, None)``: every device receives the
    **same** key. Device ``i`` (``i = lax.axis_index("batch")``)
    draws from its own key ``jax.random.fold_in(key, i)``: its keep-mask is
    ``jax.random.bernoulli(device_key, 1 - rate, x.shape)`` (True = kept).

    Args:
        key: a typed PRNG key (``jax.random.key``), identical on all devices.
        x: this device's float32 activations, any shape.
        rate: the probability of dropping an entry, a float in ``[0, 1)`` (``0`` drops nothing), the same on
            every device (under ``jax.pmap`` with ``in_axes=None`` it arrives as a traced value).

    Returns:
        A float32 array shaped like ``x``: ``x / (1 - rate)`` where the mask is True, ``0`` elsewhere.
    """
    ### BEGIN SOLUTION
    # Fold the device index into the shared key: one distinct, reproducible stream per device.
    device_key = jax.random.fold_in(key, lax.axis_index(AXIS))
    keep = 1.0 - rate
    mask = jax.random.bernoulli(device_key, keep, x.shape)
    return jnp.where(mask, x / keep, 0.0).astype(x.dtype)
    ### END SOLUTION


# %% checks="pmap.device_dropout"
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


# %% [markdown]
# ## Talking to the neighbours: a convolution split across devices
#
# Split a long signal into one chunk per device and convolve each chunk with a kernel of length `K = 2h + 1`.
# Outputs within `h` of a chunk's edge need `h` values that live on the **neighbouring** device: the halo.
# `lax.ppermute(v, "batch", perm)` sends `v` from device `i` to device `j` for every pair `(i, j)` in `perm`;
# under `pmap` a device that receives nothing gets zeros, which is exactly the zero padding at the ends of
# the signal. Under `jax.vmap`, `ppermute` accepts only a full permutation:
#
# ```python
# >>> shift_right = lambda v: lax.ppermute(v, "batch", [(0, 1), (1, 2), (2, 3)])   # device 3 sends nowhere
# >>> jax.pmap(shift_right, axis_name="batch")(jnp.array([1.0, 2.0, 3.0, 4.0]))
# Array([0., 1., 2., 3.], dtype=float32)
# >>> jax.vmap(shift_right, axis_name="batch")(jnp.array([1.0, 2.0, 3.0, 4.0]))
# Traceback (most recent call last):
# AssertionError: Permutation doesn't match the axis size!
# ```
#
# `jnp.convolve` is a true convolution: it flips the kernel (`jnp.correlate` does not).
#
# ```python
# >>> jnp.convolve(jnp.array([0.0, 1.0, 0.0, 0.0]), jnp.array([1.0, 2.0, 3.0]), mode="same")
# Array([1., 2., 3., 0.], dtype=float32)
# ```

# %%
def halo_conv1d(x_local: jax.Array, kernel: jax.Array) -> jax.Array:
    """Task pmap.halo_conv1d: this device's chunk of ``jnp.convolve(signal, kernel, mode="same")``.

    Called as ``jax.pmap(halo_conv1d, axis_name="batch", in_axes=(0, None))(signal.reshape(n, L), kernel)``
    for any number of devices ``n >= 2``: device ``i`` holds the consecutive chunk ``signal[i * L:(i + 1) * L]``.

    Args:
        x_local: this device's float32 chunk, shape ``(L,)``.
        kernel: float32 ``(K,)``, the same on every device, ``K`` odd with ``1 <= K // 2 <= L`` (both ends
            included: a halo may be a whole chunk).

    Returns:
        float32 ``(L,)``: the entries ``i * L .. (i + 1) * L - 1`` of ``jnp.convolve(signal, kernel,
        mode="same")`` (a true convolution, zero padding at both ends of the whole signal; no wrap-around).
        Get the ``K // 2`` values from each neighbouring device with ``lax.ppermute``; ``lax.all_gather`` (of
        the whole signal or of anything else) must not be used.
    """
    ### BEGIN SOLUTION
    halo = kernel.shape[0] // 2
    n_devices = lax.axis_size(AXIS)
    # My last `halo` values are the left halo of device i + 1; my first ones are the right halo of device i - 1.
    # No pair wraps around, so device 0 and device n - 1 receive zeros: the signal's zero padding.
    from_left = lax.ppermute(x_local[-halo:], AXIS, [(i, i + 1) for i in range(n_devices - 1)])
    from_right = lax.ppermute(x_local[:halo], AXIS, [(i + 1, i) for i in range(n_devices - 1)])
    padded = jnp.concatenate([from_left, x_local, from_right])
    return jnp.convolve(padded, kernel, mode="valid")
    ### END SOLUTION


# %% checks="pmap.halo_conv1d"
def test_halo_conv1d_matches_convolve():
    n = jax.local_device_count()
    signal = jnp.arange(3.0 * n) ** 2 / 10
    kernel = jnp.array([1.0, -2.0, 0.5])
    out = jax.pmap(halo_conv1d, axis_name="batch", in_axes=(0, None))(signal.reshape(n, 3), kernel)
    expected = jnp.convolve(signal, kernel, mode="same")
    assert jnp.allclose(out.reshape(-1), expected, atol=1e-4), (
        f"halo_conv1d on {n} devices gave\n{out.reshape(-1)}\nexpected jnp.convolve(signal, kernel, 'same') =\n"
        f"{expected}")


# %% [markdown]
# ## Stopping gradients: TD(0)
#
# In TD(0) value learning the target `r + gamma * V(s')` is built from the model's own prediction. Treat it
# as a constant: the update is the **semi-gradient** `lr * delta * dV(s)/dw` with `delta = target - V(s)`.
# Differentiating through the target as well (the "full gradient") pulls `V(s')` towards `V(s)` and is a
# different, usually worse, algorithm. `lax.stop_gradient(target)` makes `jax.grad` see a constant:
#
# ```python
# >>> jax.grad(lambda w: (lax.stop_gradient(2.0 * w) - w) ** 2)(1.0)   # d/dw (2 - w)^2 at w = 1
# Array(-2., dtype=float32, weak_type=True)
# >>> jax.grad(lambda w: (2.0 * w - w) ** 2)(1.0)                      # through the target too
# Array(2., dtype=float32, weak_type=True)
# ```

# %%
def value(params: dict, s: jax.Array) -> jax.Array:
    """The linear value function ``V(s) = s @ w + b`` for states ``s`` of shape ``(b, d)``."""
    return predict(params, s)


def td0_update(params: dict, s: jax.Array, r: jax.Array, s_next: jax.Array, gamma: float, lr: float) -> dict:
    """Task pmap.td0_update: one semi-gradient TD(0) step for the linear value function ``value``.

    Args:
        params: ``{"w": float32 (d,), "b": float32 ()}``.
        s: float32 ``(b, d)`` states; r: float32 ``(b,)`` rewards; s_next: float32 ``(b, d)`` next states.
        gamma: the discount factor, a Python float in ``[0, 1]`` (both ends included); lr: the learning rate,
            a positive Python float.

    Returns:
        New params (same structure, shapes and float32 dtype): ``params - lr * jax.grad(loss)(params)`` with
        ``loss = 0.5 * mean((target - value(params, s)) ** 2)`` and ``target = r + gamma * value(params,
        s_next)`` wrapped in ``lax.stop_gradient``, so the gradient flows only through ``value(params, s)``.
        Must work eagerly and under ``jax.jit``.
    """
    ### BEGIN SOLUTION
    def loss(p):
        # The target is a moving estimate, not something to optimise: no gradient flows into V(s_next).
        target = lax.stop_gradient(r + gamma * value(p, s_next))
        return 0.5 * jnp.mean((target - value(p, s)) ** 2)

    grads = jax.grad(loss)(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)
    ### END SOLUTION


# %% checks="pmap.td0_update"
def test_td0_update_is_the_semi_gradient():
    # V(s) = 1 and V(s_next) = 2, so delta = 1 + 0.9 * 2 - 1 = 1.8.
    params = {"w": jnp.array([1.0, 2.0]), "b": jnp.float32(0.0)}
    s, s_next, r = jnp.array([[1.0, 0.0]]), jnp.array([[0.0, 1.0]]), jnp.array([1.0])
    new = td0_update(params, s, r, s_next, 0.9, 0.5)
    expected_w = jnp.array([1.0 + 0.5 * 1.8, 2.0])
    assert jnp.allclose(new["w"], expected_w), (
        f"td0_update gave w = {new['w']}, expected {expected_w}: only V(s) is differentiated, so w[1] "
        "(the weight of s_next's feature) must not move")


# %% [markdown]
# ## The modern way: `jax.shard_map`
#
# `jax.pmap` is in maintenance mode: in JAX 0.10 it is implemented with `jax.jit` and `jax.shard_map`, which
# the docs recommend for new code. Look inside a pmapped function:
#
# ```python
# >>> outer = jax.make_jaxpr(jax.pmap(lambda v: 2 * v))(jnp.ones((4, 3))).eqns[0]
# >>> outer.primitive.name, outer.params["jaxpr"].eqns[0].primitive.name
# ('jit', 'shard_map')
# ```
#
# `shard_map(f, mesh=mesh, in_specs=..., out_specs=...)` runs `f` on each shard of a `Mesh`
# (`jax.make_mesh((n,), ("batch",))`); `P("batch")` splits an axis across devices and `P()` replicates.
# Three traps:
#
# - `jax.make_mesh` now makes **Explicit** axes: `shard_map` checks that `x` is already laid out as
#   `in_specs` says instead of moving it. Put the batch on the mesh first with
#   `jax.device_put(x, NamedSharding(mesh, P("batch")))`:
#
#   ```python
#   >>> mesh = jax.make_mesh((4,), ("batch",))
#   >>> mesh.axis_types
#   (Explicit,)
#   >>> total = jax.shard_map(lambda v: lax.psum(v.sum(), "batch"), mesh=mesh, in_specs=P("batch"), out_specs=P())
#   >>> jax.jit(total)(jnp.arange(8.0))
#   Traceback (most recent call last):
#   ValueError: in_specs passed to shard_map: P('batch',) does not match the specs of the input: P(None,) ...
#   >>> jax.jit(total)(jax.device_put(jnp.arange(8.0), NamedSharding(mesh, P("batch"))))
#   Array(28., dtype=float32)
#   ```
#
# - `jax.jit` the differentiated function: eager `jax.grad` of a `shard_map` over an Explicit mesh asks for
#   a mesh context (`jax.set_mesh`) instead:
#
#   ```python
#   >>> jax.grad(total)(jax.device_put(jnp.arange(8.0), NamedSharding(mesh, P("batch"))))
#   Traceback (most recent call last):
#   ValueError: Length of device assignment 1 is not equal to the size of the mesh 4 ...
#   ```
#
# - With `check_vma=True` (the default) `shard_map` tracks which values vary across devices. The gradient
#   with respect to a replicated `P()` parameter is **already summed** over devices, so the pmap idiom
#   `pmean(grad(loss)(params, x, y))` inside `shard_map` gives N times the gradient. Instead take the
#   gradient **of** a loss that ends in `lax.pmean` (inside the `shard_map`, or of the `shard_map`ped loss
#   from outside), or divide by `lax.axis_size("batch")`:
#
#   ```python
#   >>> xs = jax.device_put(jnp.array([1.0, 2.0, 3.0, 6.0]), NamedSharding(mesh, P("batch")))
#   >>> def on_mesh(f):
#   ...     return jax.jit(jax.shard_map(f, mesh=mesh, in_specs=(P(), P("batch")), out_specs=P()))
#   >>> on_mesh(lambda w, x: jax.grad(lambda w: jnp.sum(w * x))(w))(1.0, xs)   # 1 + 2 + 3 + 6: summed
#   Array(12., dtype=float32, weak_type=True)
#   >>> on_mesh(lambda w, x: lax.pmean(jax.grad(lambda w: jnp.sum(w * x))(w), "batch"))(1.0, xs)
#   Array(12., dtype=float32, weak_type=True)
#   >>> on_mesh(lambda w, x: jax.grad(lambda w: lax.pmean(jnp.sum(w * x), "batch"))(w))(1.0, xs)   # the mean
#   Array(3., dtype=float32, weak_type=True)
#   ```
#
# The `sharding` topic goes on from here: `jax.jit` on arrays laid out with `NamedSharding`, and `shard_map`
# where you want the per-device program in your own hands.

# %%
def shard_map_sgd_step(mesh, params: dict, x, y, lr: float) -> tuple[dict, jax.Array]:
    """Task pmap.shard_map_sgd_step: the full-batch SGD step of ``dp_sgd_step``, written with ``jax.shard_map``.

    Args:
        mesh: a 1-D ``jax.sharding.Mesh`` of ``n >= 1`` devices with axis name ``"batch"``, made by
            ``jax.make_mesh((n,), ("batch",))`` (so its axis is Explicit, the default).
        params: one copy of ``{"w": float32 (d,), "b": float32 ()}`` (not replicated by hand).
        x: float32 ``(B, d)``; y: float32 ``(B,)``: the global batch as ordinary arrays, ``B`` divisible by
            ``n``.
        lr: the learning rate, a Python float.

    Returns:
        ``(new_params, loss)``, float32: ``params - lr * grad`` of ``mse_loss`` over the whole batch, and that
        loss at ``params``; the same numbers as a single-device full-batch step. The loss and gradient must be
        computed inside ``jax.shard_map`` over ``mesh`` (the mesh given, not another one) with the batch split
        (``P("batch")``) and the parameters replicated (``P()``).
    """
    ### BEGIN SOLUTION
    rows = NamedSharding(mesh, P(AXIS))
    # Explicit mesh axes: shard_map asserts the layout in_specs describes, so move the batch there first.
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)

    def global_loss(p, x_shard, y_shard):
        return lax.pmean(mse_loss(p, x_shard, y_shard), AXIS)

    sharded_loss = jax.shard_map(global_loss, mesh=mesh, in_specs=(P(), P(AXIS), P(AXIS)), out_specs=P())
    # Differentiate the shard_mapped loss from outside: inside, grad w.r.t. P() params would already be
    # summed over devices, and a pmean of it would be N times the true gradient.
    loss, grads = jax.jit(jax.value_and_grad(sharded_loss))(params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
    ### END SOLUTION


# %% checks="pmap.shard_map_sgd_step"
def test_shard_map_sgd_step_is_the_full_batch_step():
    params, x, y = toy_regression()
    mesh = jax.make_mesh((jax.device_count(),), ("batch",))
    new, loss = shard_map_sgd_step(mesh, params, x, y, 0.1)
    expected = params["w"] - 0.1 * jax.grad(mse_loss)(params, x, y)["w"]
    assert jnp.allclose(new["w"], expected, atol=1e-5), (
        f"shard_map_sgd_step gave w = {new['w']}, expected {expected} (the single-device full-batch step)")
    assert jnp.allclose(loss, mse_loss(params, x, y)), f"loss is {loss}, expected {mse_loss(params, x, y)}"


# %% [markdown]
# ## Try it
#
# Train the linear model on 4 simulated devices and compare with one device.

# %%
if __name__ == "__main__":
    try:
        print(device_summary())
        rng = np.random.default_rng(7)
        true_w = np.array([2.0, -1.0, 0.5], np.float32)
        xs = rng.normal(size=(20, 32, 3)).astype(np.float32)
        ys = (xs @ true_w + 0.25 + 0.05 * rng.normal(size=(20, 32))).astype(np.float32)
        start = {"w": jnp.zeros(3), "b": jnp.float32(0.0)}
        trained, losses = train_data_parallel(dp_sgd_step, start, jnp.asarray(xs), jnp.asarray(ys), 0.1)
        print("loss every 5 steps:", np.round(np.asarray(losses)[::5], 4))
        print("learned w, b:", np.round(np.asarray(trained["w"]), 3), round(float(trained["b"]), 3))
    except NotImplementedError:
        print("Finish device_summary, dp_sgd_step and train_data_parallel to train on 4 devices.")
