"""The initial params replicated again at every step: each step starts over from them."""
TASK = "pmap.train_data_parallel"
EXPECT = "against the single-device SGD loop"


def train_data_parallel(step, params, xs, ys, lr):
    n_devices = jax.local_device_count()
    parallel_step = jax.pmap(step, axis_name=AXIS, in_axes=(0, 0, 0, None))
    losses = []
    for x, y in zip(xs, ys):
        replicated, loss = parallel_step(replicate(params, n_devices), shard_batch(x, n_devices),
                                         shard_batch(y, n_devices), lr)
        losses.append(loss[0])
    return jax.tree.map(lambda a: a[0], replicated), jnp.stack(losses)
