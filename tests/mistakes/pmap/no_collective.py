"""No collective at all: each replica follows its own shard's gradient and the replicas diverge."""
TASK = "pmap.dp_sgd_step"
EXPECT = "replicas returned different new parameters"


def dp_sgd_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(mse_loss)(params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
