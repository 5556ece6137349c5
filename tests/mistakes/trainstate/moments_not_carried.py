"""The moments restart from zero at every step: the state's mu and nu are ignored."""
TASK = "trainstate.adam_update"
EXPECT = "compared with optax.adam's"


def adam_update(grads, opt_state, learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    count = opt_state["count"] + 1
    t = count.astype(jnp.float32)
    mu = jax.tree.map(lambda g: (1 - b1) * g, grads)
    nu = jax.tree.map(lambda g: (1 - b2) * g * g, grads)
    updates = jax.tree.map(lambda m, v: -learning_rate * (m / (1 - b1 ** t)) / (jnp.sqrt(v / (1 - b2 ** t)) + eps),
                           mu, nu)
    return updates, {"count": count, "mu": mu, "nu": nu}
