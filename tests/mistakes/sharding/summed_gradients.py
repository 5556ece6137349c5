"""psum_scatter's sum used as it is: the momentum gets n times the mean gradient."""
TASK = "sharding.zero_momentum_step"
EXPECT = "lax.psum_scatter sums the gradients"


def zero_momentum_step(params, grads, momentum, lr, beta, axis_name):
    rows = momentum.shape[0]
    new_momentum = beta * momentum + lax.psum_scatter(grads, axis_name, scatter_dimension=0, tiled=True)
    mine = lax.dynamic_slice_in_dim(params, lax.axis_index(axis_name) * rows, rows) - lr * new_momentum
    return lax.all_gather(mine, axis_name, axis=0, tiled=True), new_momentum
