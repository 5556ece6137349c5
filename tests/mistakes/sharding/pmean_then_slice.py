"""The whole averaged gradient on every device (pmean), then this device's rows sliced out: no ZeRO saving."""
TASK = "sharding.zero_momentum_step"
EXPECT = "no device may hold the whole averaged gradient"


def zero_momentum_step(params, grads, momentum, lr, beta, axis_name):
    rows = momentum.shape[0]
    start = lax.axis_index(axis_name) * rows
    new_momentum = beta * momentum + lax.dynamic_slice_in_dim(lax.pmean(grads, axis_name), start, rows)
    mine = lax.dynamic_slice_in_dim(params, start, rows) - lr * new_momentum
    return lax.all_gather(mine, axis_name, axis=0, tiled=True), new_momentum
