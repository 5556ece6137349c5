"""A hard-coded device count: the loop runs on 2 devices whatever the machine has."""
TASK = "pmap.train_data_parallel"
EXPECT = "it must run on all 4 local devices"


def train_data_parallel(step, params, xs, ys, lr):
    n_devices = 2
    parallel_step = jax.pmap(step, axis_name=AXIS, in_axes=(0, 0, 0, None), devices=jax.local_devices()[:n_devices])
    replicated = jax.tree.map(lambda a: jnp.broadcast_to(a, (n_devices, *jnp.shape(a))), params)
    losses = []
    for x, y in zip(xs, ys):
        shards = x.reshape(n_devices, -1, x.shape[-1]), y.reshape(n_devices, -1)
        replicated, loss = parallel_step(replicated, *shards, lr)
        losses.append(loss[0])
    return jax.tree.map(lambda a: a[0], replicated), jnp.stack(losses)
