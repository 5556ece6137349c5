"""A Python loop of jitted steps: the right numbers, but T copies of the step in the program, no scan."""
TASK = "nnx.train_scan"
EXPECT = "holds no scan"


def train_scan(model, optimizer, xs, ys):
    step = nnx.jit(train_step)
    return jnp.stack([step(model, optimizer, xs[t], ys[t]) for t in range(xs.shape[0])])
