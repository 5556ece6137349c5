"""Building the injected optimizer with the first rate and never changing it."""
TASK = "optimizers.fit_with_learning_rates"
EXPECT = "/params/"


def fit_with_learning_rates(loss_fn, params, optimizer, batches, learning_rates):
    tx = optax.inject_hyperparams(optimizer)(learning_rate=learning_rates[0])

    @jax.jit
    def step(params, opt_state, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    opt_state, losses = tx.init(params), []
    for batch in batches:
        params, opt_state, loss = step(params, opt_state, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
