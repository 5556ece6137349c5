"""Recording the loss at the params after the step instead of before it."""
TASK = "optimizers.fit"
EXPECT = "/losses"


def fit(loss_fn, params, tx, batches):
    @jax.jit
    def step(params, opt_state, batch):
        grads = jax.grad(loss_fn)(params, batch)
        updates, opt_state = tx.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        return params, opt_state, loss_fn(params, batch)

    opt_state, losses = tx.init(params), []
    for batch in batches:
        params, opt_state, loss = step(params, opt_state, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
