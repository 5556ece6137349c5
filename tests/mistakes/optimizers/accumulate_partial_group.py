"""Accumulating by hand and stepping on whatever is left at the end: the trailing partial group is applied."""
TASK = "optimizers.fit_accumulated"
EXPECT = "`momentum/params"


def fit_accumulated(loss_fn, params, tx, micro_batches, every_k):
    grad_fn = jax.jit(jax.value_and_grad(loss_fn))
    apply = jax.jit(lambda params, opt_state, grads: tx.update(grads, opt_state, params))
    opt_state, losses, pending = tx.init(params), [], []
    for i, batch in enumerate(micro_batches):
        loss, grads = grad_fn(params, batch)
        losses.append(loss)
        pending.append(grads)
        if len(pending) == every_k or i == len(micro_batches) - 1:
            mean = jax.tree.map(lambda *g: sum(g) / len(g), *pending)
            updates, opt_state = apply(params, opt_state, mean)
            params, pending = optax.apply_updates(params, updates), []
    return params, jnp.stack(losses)
