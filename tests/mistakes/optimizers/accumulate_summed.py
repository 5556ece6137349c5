"""Summing the micro-batch gradients (use_grad_mean=False): every_k times the large-batch gradient."""
TASK = "optimizers.fit_accumulated"
EXPECT = "`momentum/params"


def fit_accumulated(loss_fn, params, tx, micro_batches, every_k):
    accumulating = optax.MultiSteps(tx, every_k_schedule=every_k, use_grad_mean=False)

    @jax.jit
    def step(params, opt_state, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = accumulating.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    opt_state, losses = accumulating.init(params), []
    for batch in micro_batches:
        params, opt_state, loss = step(params, opt_state, batch)
        losses.append(loss)
    return params, jnp.stack(losses)
