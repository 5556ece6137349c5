"""Every device updates the first rows of the parameters, whatever rows its momentum belongs to."""
TASK = "sharding.zero_momentum_step"
EXPECT = "differs in"


def zero_momentum_step(params, grads, momentum, lr, beta, axis_name):
    n, rows = lax.axis_size(axis_name), momentum.shape[0]
    new_momentum = beta * momentum + lax.psum_scatter(grads, axis_name, scatter_dimension=0, tiled=True) / n
    mine = params[:rows] - lr * new_momentum
    return lax.all_gather(mine, axis_name, axis=0, tiled=True), new_momentum
