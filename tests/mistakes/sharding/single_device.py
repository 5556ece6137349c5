"""Nothing put on the mesh: jax.jit runs the step on one device."""
TASK = "sharding.data_parallel_step"
EXPECT = "is stored on the devices [0]"


def data_parallel_step(mesh, params, x, y, lr):
    @jax.jit
    def step(p, x, y):
        (_, losses), grads = jax.value_and_grad(lambda q: (jnp.mean(mse_losses(q, x, y)), mse_losses(q, x, y)),
                                                has_aux=True)(p)
        return jax.tree.map(lambda leaf, g: leaf - lr * g, p, grads), losses

    return step(params, x, y)
