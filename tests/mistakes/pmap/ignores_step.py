"""dp_sgd_step called directly: the step passed in is never used."""
TASK = "pmap.train_data_parallel"
EXPECT = "never called the step it was given"


def train_data_parallel(step, params, xs, ys, lr):
    n_devices = jax.local_device_count()
    parallel_step = jax.pmap(dp_sgd_step, axis_name=AXIS, in_axes=(0, 0, 0, None))
    replicated = replicate(params, n_devices)
    losses = []
    for x, y in zip(xs, ys):
        replicated, loss = parallel_step(replicated, shard_batch(x, n_devices), shard_batch(y, n_devices), lr)
        losses.append(loss[0])
    return jax.tree.map(lambda a: a[0], replicated), jnp.stack(losses)
