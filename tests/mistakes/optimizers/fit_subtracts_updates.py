"""Subtracting the updates as if they were gradients: Optax's updates already carry the minus sign."""
TASK = "optimizers.fit"
EXPECT = "`adamw/params"


def fit(loss_fn, params, tx, batches):
    @jax.jit
    def step(params, opt_state, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = tx.update(grads, opt_state, params)
        return jax.tree.map(lambda p, u: p - u, params, updates), opt_state, loss

    opt_state, losses = tx.init(params), []
    for batch in batches:
        params, opt_state, loss = step(params, opt_state, batch)
        losses.append(loss)
    return params, opt_state, jnp.stack(losses)
