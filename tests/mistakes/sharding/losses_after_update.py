"""The per-example losses measured at the new params instead of the params the step started from."""
TASK = "sharding.data_parallel_step"
EXPECT = "`losses`"


def data_parallel_step(mesh, params, x, y, lr):
    rows, everywhere = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)
    params = jax.device_put(params, everywhere)

    @jax.jit
    def step(p):
        grads = jax.grad(lambda q: jnp.mean(mse_losses(q, x, y)))(p)
        new = jax.tree.map(lambda leaf, g: leaf - lr * g, p, grads)
        return new, mse_losses(new, x, y)

    return step(params)
