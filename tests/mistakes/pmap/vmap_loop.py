"""The step vmapped on one device instead of pmapped over the devices: the same numbers, no parallelism."""
TASK = "pmap.train_data_parallel"
EXPECT = "jax.pmap was never called"


def train_data_parallel(step, params, xs, ys, lr):
    n_devices = jax.local_device_count()
    parallel_step = jax.vmap(step, axis_name=AXIS, in_axes=(0, 0, 0, None))
    replicated = replicate(params, n_devices)
    losses = []
    for x, y in zip(xs, ys):
        replicated, loss = parallel_step(replicated, shard_batch(x, n_devices), shard_batch(y, n_devices), lr)
        losses.append(loss[0])
    return jax.tree.map(lambda a: a[0], replicated), jnp.stack(losses)
