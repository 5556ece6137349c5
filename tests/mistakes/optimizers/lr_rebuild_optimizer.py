"""A new optimizer and a new state whenever the rate changes: Adam's averages and the momentum restart."""
TASK = "optimizers.fit_with_learning_rates"
EXPECT = "/params/"


def fit_with_learning_rates(loss_fn, params, optimizer, batches, learning_rates):
    def make_step(tx):
        @jax.jit
        def step(params, opt_state, batch):
            loss, grads = jax.value_and_grad(loss_fn)(params, batch)
            updates, opt_state = tx.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, loss
        return step

    current, losses = None, []
    for batch, rate in zip(batches, learning_rates):
        if rate != current:
            current = rate
            tx = optimizer(learning_rate=rate)
            opt_state, step = tx.init(params), make_step(tx)
        params, opt_state, loss = step(params, opt_state, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
