"""The right loop, run eagerly: nothing is compiled."""
TASK = "optimizers.fit"
EXPECT = "outside a compiled step"


def fit(loss_fn, params, tx, batches):
    opt_state, losses = tx.init(params), []
    for batch in batches:
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = tx.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
