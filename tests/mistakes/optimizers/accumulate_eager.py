"""MultiSteps driven by an eager loop: nothing is compiled."""
TASK = "optimizers.fit_accumulated"
EXPECT = "outside a compiled step"


def fit_accumulated(loss_fn, params, tx, micro_batches, every_k):
    accumulating = optax.MultiSteps(tx, every_k_schedule=every_k)
    opt_state, losses = accumulating.init(params), []
    for batch in micro_batches:
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = accumulating.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        losses.append(loss)
    return params, jnp.stack(losses)
