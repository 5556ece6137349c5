"""Gradients averaged, but the loss returned is this device's own."""
TASK = "pmap.dp_sgd_step"
EXPECT = "replicas returned different losses"


def dp_sgd_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(mse_loss)(params, x, y)
    grads = lax.pmean(grads, AXIS)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss
