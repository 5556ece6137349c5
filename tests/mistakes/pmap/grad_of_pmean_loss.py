"""The gradient of a pmean'd loss: under pmap/vmap each device still gets only its own shard's gradient."""
TASK = "pmap.dp_sgd_step"
EXPECT = "replicas returned different new parameters"


def dp_sgd_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(lambda p: lax.pmean(mse_loss(p, x, y), AXIS))(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
