"""all_gather without tiled=True: the blocks are stacked on a new axis instead of concatenated."""
TASK = "sharding.zero_momentum_step"
EXPECT = "has shape"


def zero_momentum_step(params, grads, momentum, lr, beta, axis_name):
    n, rows = lax.axis_size(axis_name), momentum.shape[0]
    new_momentum = beta * momentum + lax.psum_scatter(grads, axis_name, scatter_dimension=0, tiled=True) / n
    mine = lax.dynamic_slice_in_dim(params, lax.axis_index(axis_name) * rows, rows) - lr * new_momentum
    return lax.all_gather(mine, axis_name), new_momentum
