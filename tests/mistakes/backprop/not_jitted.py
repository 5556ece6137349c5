"""The step run eagerly: every step dispatches op by op from Python."""
TASK = "backprop.train"
EXPECT = 'traced anew (or not compiled)'


def train(key, X, labels, steps, lr, hidden):
    params = he_init(key, [X.shape[1], hidden, NUM_CLASSES])
    losses = []
    for _ in range(steps):
        params, loss = sgd_step(params, X, labels, lr)
        losses.append(loss)
    return params, jnp.stack(losses)
