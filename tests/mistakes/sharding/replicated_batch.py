"""The whole batch copied onto every device, then the losses split afterwards: right numbers, no data parallelism."""
TASK = "sharding.data_parallel_step"
EXPECT = "holds no all-reduce"


def data_parallel_step(mesh, params, x, y, lr):
    everywhere = NamedSharding(mesh, P())
    x, y, params = jax.device_put((x, y, params), everywhere)

    @jax.jit
    def step(p):
        (_, losses), grads = jax.value_and_grad(lambda q: (jnp.mean(mse_losses(q, x, y)), mse_losses(q, x, y)),
                                                has_aux=True)(p)
        new = jax.tree.map(lambda leaf, g: leaf - lr * g, p, grads)
        return new, jax.device_put(losses, NamedSharding(mesh, P("data")))

    return step(params)
