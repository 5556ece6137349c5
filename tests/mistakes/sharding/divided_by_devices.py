"""The pmap habit once too often: the mean over the global batch divided by the number of devices again."""
TASK = "sharding.data_parallel_step"
EXPECT = "divided by the number of devices once more"


def data_parallel_step(mesh, params, x, y, lr):
    n = mesh.shape["data"]
    rows, everywhere = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)
    params = jax.device_put(params, everywhere)

    @jax.jit
    def step(p):
        (_, losses), grads = jax.value_and_grad(lambda q: (jnp.mean(mse_losses(q, x, y)) / n, mse_losses(q, x, y)),
                                                has_aux=True)(p)
        return jax.tree.map(lambda leaf, g: leaf - lr * g, p, grads), losses

    return step(params)
