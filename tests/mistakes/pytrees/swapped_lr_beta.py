"""lr and beta swapped in the signature."""
TASK = "pytrees.momentum_update"
EXPECT = "`eager_1/new_params/leaves/"


def momentum_update(params, grads, velocity, beta, lr):
    new_velocity = jax.tree.map(lambda v, g: beta * v + g, velocity, grads)
    return jax.tree.map(lambda p, v: p - lr * v, params, new_velocity), new_velocity
