"""The new count and moments written into the opt_state dict the caller passed in."""
TASK = "trainstate.adam_update"
EXPECT = "changed the opt_state dict it was given"


def adam_update(grads, opt_state, learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    opt_state["count"] = opt_state["count"] + 1
    opt_state["mu"] = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, opt_state["mu"], grads)
    opt_state["nu"] = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, opt_state["nu"], grads)
    t = opt_state["count"].astype(jnp.float32)
    updates = jax.tree.map(lambda m, v: -learning_rate * (m / (1 - b1 ** t)) / (jnp.sqrt(v / (1 - b2 ** t)) + eps),
                           opt_state["mu"], opt_state["nu"])
    return updates, opt_state
