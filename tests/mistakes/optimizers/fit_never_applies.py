"""Calling tx.update and never adding the updates to the params."""
TASK = "optimizers.fit"
EXPECT = "returned the initial params unchanged"


def fit(loss_fn, params, tx, batches):
    @jax.jit
    def step(params, opt_state, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = tx.update(grads, opt_state, params)
        return params, opt_state, loss

    opt_state, losses = tx.init(params), []
    for batch in batches:
        params, opt_state, loss = step(params, opt_state, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
