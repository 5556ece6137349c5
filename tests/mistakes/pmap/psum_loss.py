"""Gradients averaged, the loss summed over devices."""
TASK = "pmap.dp_sgd_step"
EXPECT = "times the global mean loss"


def dp_sgd_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(mse_loss)(params, x, y)
    grads = lax.pmean(grads, AXIS)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), lax.psum(loss, AXIS)
