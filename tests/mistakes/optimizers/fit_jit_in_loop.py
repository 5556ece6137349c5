"""A jitted step built anew for every batch: each new function is traced and compiled again."""
TASK = "optimizers.fit"
EXPECT = "traced the step of fit"


def fit(loss_fn, params, tx, batches):
    opt_state, losses = tx.init(params), []
    for batch in batches:
        def step(params, opt_state, batch):
            loss, grads = jax.value_and_grad(loss_fn)(params, batch)
            updates, opt_state = tx.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, loss

        params, opt_state, loss = jax.jit(step)(params, opt_state, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
