"""Adam without bias correction: the first updates are far too small."""
TASK = "trainstate.adam_update"
EXPECT = "Adam's with no bias correction"


def adam_update(grads, opt_state, learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    mu = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, opt_state["mu"], grads)
    nu = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, opt_state["nu"], grads)
    updates = jax.tree.map(lambda m, v: -learning_rate * m / (jnp.sqrt(v) + eps), mu, nu)
    return updates, {"count": opt_state["count"] + 1, "mu": mu, "nu": nu}
