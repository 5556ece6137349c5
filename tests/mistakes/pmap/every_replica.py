"""All replicas returned, and the losses of every device: not one copy."""
TASK = "pmap.train_data_parallel"
EXPECT = "has shape"


def train_data_parallel(step, params, xs, ys, lr):
    n_devices = jax.local_device_count()
    parallel_step = jax.pmap(step, axis_name=AXIS, in_axes=(0, 0, 0, None))
    replicated = replicate(params, n_devices)
    losses = []
    for x, y in zip(xs, ys):
        replicated, loss = parallel_step(replicated, shard_batch(x, n_devices), shard_batch(y, n_devices), lr)
        losses.append(loss)
    return replicated, jnp.stack(losses)
