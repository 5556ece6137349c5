"""Correct-but-different solutions for topic `pmap`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/pmap.py), so the
checks are shown to test behaviour, not the reference's incidental choices.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.sharding import NamedSharding, PartitionSpec as P


def device_summary(devices=None):
    # For None: the count and backend name straight from jax; ids from jax.devices() (one host: the same list).
    if devices is None:
        return {"ids": [d.id for d in jax.devices()], "count": jax.local_device_count(),
                "platform": jax.default_backend()}
    return {"count": len(devices), "platform": str(devices[0].platform), "ids": list(map(lambda d: d.id, devices))}


def shard_batch(x, n_devices):
    per_device, remainder = divmod(np.shape(x)[0], n_devices)
    if remainder:
        raise ValueError(f"cannot shard {np.shape(x)[0]} examples over {n_devices} devices "
                         f"({remainder} left over)")
    # Stack the consecutive blocks that array_split produces.
    return jnp.stack(jnp.split(jnp.asarray(x), n_devices))


def replicate(tree, n_devices):
    return jax.tree.map(lambda leaf: jnp.stack([jnp.asarray(leaf)] * n_devices), tree)


def dp_sgd_step(params, x, y, lr):
    # Closed-form gradient from psum'd sums, divided by the psum'd row count: no jax.grad, no pmean.
    residual = x @ params["w"] + params["b"] - y
    rows = lax.psum(x.shape[0], AXIS)
    grad_w = 2 * lax.psum(x.T @ residual, AXIS) / rows
    grad_b = 2 * lax.psum(jnp.sum(residual), AXIS) / rows
    loss = lax.psum(jnp.sum(residual ** 2), AXIS) / rows
    return {"w": params["w"] - lr * grad_w, "b": params["b"] - lr * grad_b}, loss


def global_accuracy(logits, labels, valid):
    # Gather every device's counts and add them up locally.
    hits = jnp.where(valid, jnp.argmax(logits, -1) == labels, False)
    counts = lax.all_gather(jnp.stack([hits.sum(), valid.sum()]).astype(jnp.int32), AXIS)
    correct, count = counts.sum(0)
    return {"accuracy": correct.astype(jnp.float32) / count.astype(jnp.float32), "correct": correct, "count": count}


def train_data_parallel(step, params, xs, ys, lr):
    # The whole loop runs on the devices: lax.scan over the k batches inside one pmap call.
    n = jax.local_device_count()
    k, rows = ys.shape
    xs = jnp.asarray(xs).reshape(k, n, rows // n, -1).swapaxes(0, 1)  # (n, k, per_device, d)
    ys = jnp.asarray(ys).reshape(k, n, rows // n).swapaxes(0, 1)

    def run(p, device_xs, device_ys):
        return lax.scan(lambda q, batch: step(q, batch[0], batch[1], lr), p, (device_xs, device_ys))

    final, losses = jax.pmap(run, axis_name=AXIS, in_axes=(None, 0, 0))(params, xs, ys)
    return jax.tree.map(lambda a: a[0], final), losses[0]


def device_dropout(key, x, rate):
    # Subkey i of split(key, n) is fold_in(key, i) on this JAX; bernoulli spelled as a uniform draw below the keep
    # probability (what bernoulli does); multiply by the mask.
    device_key = jax.random.split(key, lax.axis_size(AXIS))[lax.axis_index(AXIS)]
    keep = jax.random.uniform(device_key, x.shape) < 1 - rate
    return x * keep / (1 - rate)


def halo_conv1d(x_local, kernel):
    # Full cyclic permutations (these also work under vmap), then zero the halos that wrapped around.
    halo, n = kernel.shape[0] // 2, lax.axis_size(AXIS)
    me = lax.axis_index(AXIS)
    left = lax.ppermute(x_local[-halo:], AXIS, [(i, (i + 1) % n) for i in range(n)])
    right = lax.ppermute(x_local[:halo], AXIS, [(i, (i - 1) % n) for i in range(n)])
    left = jnp.where(me == 0, 0.0, left)
    right = jnp.where(me == n - 1, 0.0, right)
    padded = jnp.concatenate([left, x_local, right])
    # Correlation with the flipped kernel is the convolution.
    return jnp.correlate(padded, kernel[::-1], mode="valid")


def td0_update(params, s, r, s_next, gamma, lr):
    # The semi-gradient written out: delta * dV(s)/dparams, with no jax.grad at all.
    delta = r + gamma * value(params, s_next) - value(params, s)
    return {"w": params["w"] + lr * jnp.mean(delta[:, None] * s, axis=0), "b": params["b"] + lr * jnp.mean(delta)}


def shard_map_sgd_step(mesh, params, x, y, lr):
    # grad inside the shard_map, divided by the axis size: the in-shard gradient of P() params is already a sum.
    def local(p, xb, yb):
        loss, grads = jax.value_and_grad(mse_loss)(p, xb, yb)
        grads = jax.tree.map(lambda g: g / lax.axis_size(AXIS), grads)
        return grads, lax.pmean(loss, AXIS)

    with jax.set_mesh(mesh):
        x = jax.device_put(x, P(AXIS))
        y = jax.device_put(y, P(AXIS))
        grads, loss = jax.jit(jax.shard_map(local, in_specs=(P(), P(AXIS), P(AXIS)), out_specs=(P(), P())))(
            params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
