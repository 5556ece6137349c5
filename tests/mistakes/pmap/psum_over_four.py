"""psum divided by a device count written in: right on 4 devices only."""
TASK = "pmap.dp_sgd_step"
EXPECT = "times the full-batch SGD step"


def dp_sgd_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(mse_loss)(params, x, y)
    grads = jax.tree.map(lambda g: lax.psum(g, AXIS) / 4, grads)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), lax.psum(loss, AXIS) / 4
