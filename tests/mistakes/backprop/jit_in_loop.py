"""A fresh jitted function inside the loop: traced and compiled again at every step."""
TASK = "backprop.train"
EXPECT = 'traced anew'


def train(key, X, labels, steps, lr, hidden):
    params = he_init(key, [X.shape[1], hidden, NUM_CLASSES])
    losses = []
    for _ in range(steps):
        params, loss = jax.jit(lambda p: sgd_step(p, X, labels, lr))(params)
        losses.append(loss)
    return params, jnp.stack(losses)
