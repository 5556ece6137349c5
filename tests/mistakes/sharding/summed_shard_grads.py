"""The pmap habit: the batch reshaped into one block per device, a gradient per block, and the gradients summed."""
TASK = "sharding.data_parallel_step"
EXPECT = "the devices' gradients were summed, not averaged"


def data_parallel_step(mesh, params, x, y, lr):
    n = mesh.shape["data"]
    rows, everywhere = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)
    params = jax.device_put(params, everywhere)

    @jax.jit
    def step(p, x, y):
        blocks_x, blocks_y = x.reshape(n, -1, x.shape[-1]), y.reshape(n, -1)
        per_block = jax.vmap(jax.grad(lambda q, a, b: jnp.mean(mse_losses(q, a, b))), in_axes=(None, 0, 0))
        grads = jax.tree.map(lambda g: g.sum(0), per_block(p, blocks_x, blocks_y))
        return jax.tree.map(lambda leaf, g: leaf - lr * g, p, grads), mse_losses(p, x, y)

    return step(params, x, y)
