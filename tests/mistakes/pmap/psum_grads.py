"""lax.psum where the mean is needed: the step is n_devices times too large."""
TASK = "pmap.dp_sgd_step"
EXPECT = "exactly what summing the devices' gradients"


def dp_sgd_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(mse_loss)(params, x, y)
    grads = lax.psum(grads, AXIS)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), lax.pmean(loss, AXIS)
