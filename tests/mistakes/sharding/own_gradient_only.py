"""This device's own gradient rows, never combined with the other devices' gradients."""
TASK = "sharding.zero_momentum_step"
EXPECT = "does not use both"


def zero_momentum_step(params, grads, momentum, lr, beta, axis_name):
    rows = momentum.shape[0]
    start = lax.axis_index(axis_name) * rows
    new_momentum = beta * momentum + lax.dynamic_slice_in_dim(grads, start, rows)
    mine = lax.dynamic_slice_in_dim(params, start, rows) - lr * new_momentum
    return lax.all_gather(mine, axis_name, axis=0, tiled=True), new_momentum
