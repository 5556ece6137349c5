"""Calling tx.update without the params: fine for SGD and Adam, a ValueError for AdamW."""
TASK = "optimizers.fit"
EXPECT = "ValueError"


def fit(loss_fn, params, tx, batches):
    @jax.jit
    def step(params, opt_state, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = tx.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, loss

    opt_state, losses = tx.init(params), []
    for batch in batches:
        params, opt_state, loss = step(params, opt_state, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
