"""The global batch handed to pmap as it is: pmap maps over its rows, not over devices."""
TASK = "pmap.train_data_parallel"
EXPECT = "cannot select an axis to squeeze out"


def train_data_parallel(step, params, xs, ys, lr):
    n_devices = jax.local_device_count()
    parallel_step = jax.pmap(step, axis_name=AXIS, in_axes=(0, 0, 0, None))
    replicated = jax.tree.map(lambda a: jnp.broadcast_to(a, (n_devices, *jnp.shape(a))), params)
    losses = []
    for x, y in zip(xs, ys):
        replicated, loss = parallel_step(replicated, x, y, lr)
        losses.append(loss[0])
    return jax.tree.map(lambda a: a[0], replicated), jnp.stack(losses)
