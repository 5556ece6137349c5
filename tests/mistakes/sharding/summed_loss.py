"""The squared errors summed instead of averaged: the step is B times too large."""
TASK = "sharding.data_parallel_step"
EXPECT = "summed the squared errors instead of averaging them"


def data_parallel_step(mesh, params, x, y, lr):
    rows, everywhere = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)
    params = jax.device_put(params, everywhere)

    @jax.jit
    def step(p):
        (_, losses), grads = jax.value_and_grad(lambda q: (jnp.sum(mse_losses(q, x, y)), mse_losses(q, x, y)),
                                                has_aux=True)(p)
        return jax.tree.map(lambda leaf, g: leaf - lr * g, p, grads), losses

    return step(params)
