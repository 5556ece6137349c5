"""Passing the initial optimizer state to every step: momentum and Adam restart from scratch each time."""
TASK = "optimizers.fit"
EXPECT = "`adamw/params"


def fit(loss_fn, params, tx, batches):
    opt_state = tx.init(params)

    @jax.jit
    def step(params, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, _ = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), loss

    losses = []
    for batch in batches:
        params, loss = step(params, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
