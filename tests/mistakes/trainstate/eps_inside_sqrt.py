"""eps added under the square root instead of after it."""
TASK = "trainstate.adam_update"
EXPECT = "Adam's with eps inside the square root"


def adam_update(grads, opt_state, learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    count = opt_state["count"] + 1
    t = count.astype(jnp.float32)
    mu = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, opt_state["mu"], grads)
    nu = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, opt_state["nu"], grads)
    updates = jax.tree.map(lambda m, v: -learning_rate * (m / (1 - b1 ** t)) / jnp.sqrt(v / (1 - b2 ** t) + eps),
                           mu, nu)
    return updates, {"count": count, "mu": mu, "nu": nu}
