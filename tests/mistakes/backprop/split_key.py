"""Splitting the key before initialising: other initial parameters than he_init(key, ...)."""
TASK = "backprop.train"
EXPECT = 'initialise from exactly the key'


def train(key, X, labels, steps, lr, hidden):
    key, init_key = jax.random.split(key)
    params = he_init(init_key, [X.shape[1], hidden, NUM_CLASSES])
    step = jax.jit(sgd_step)
    losses = []
    for _ in range(steps):
        params, loss = step(params, X, labels, lr)
        losses.append(loss)
    return params, jnp.stack(losses)
