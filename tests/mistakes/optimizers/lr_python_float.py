"""A Python float put into the state when the rate changes: a new argument type, so jit traces the step again."""
TASK = "optimizers.fit_with_learning_rates"
EXPECT = "traced the step of fit_with_learning_rates"


def fit_with_learning_rates(loss_fn, params, optimizer, batches, learning_rates):
    tx = optax.inject_hyperparams(optimizer)(learning_rate=learning_rates[0])

    @jax.jit
    def step(params, opt_state, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    opt_state, losses = tx.init(params), []
    for i, (batch, rate) in enumerate(zip(batches, learning_rates)):
        if i > 0 and rate != learning_rates[i - 1]:
            opt_state.hyperparams["learning_rate"] = rate
        params, opt_state, loss = step(params, opt_state, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
