"""The step's new parameters are never fed back: every step starts from the initial ones."""
TASK = "backprop.train"
EXPECT = 'losses are identical'


def train(key, X, labels, steps, lr, hidden):
    params = he_init(key, [X.shape[1], hidden, NUM_CLASSES])
    step = jax.jit(sgd_step)
    losses = []
    for _ in range(steps):
        new_params, loss = step(params, X, labels, lr)
        losses.append(loss)
    return new_params, jnp.stack(losses)
