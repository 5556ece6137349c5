# Generated from solutions/pmap.py (sha256 eadce2c4b22e) by `python -m autograder build`. Do not edit: edit the master and rebuild.
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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
