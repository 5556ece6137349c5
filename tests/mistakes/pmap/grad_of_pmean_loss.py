"""The shard_map recipe used under pmap: grad of a pmean'd loss is only the local gradient / N there."""
TASK = "pmap.dp_sgd_step"
EXPECT = "the replicas diverge"


def dp_sgd_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(lambda p: lax.pmean(mse_loss(p, x, y), AXIS))(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
