"""optax.scale_by_adam does the work: the update is right, the exercise is skipped."""
TASK = "trainstate.adam_update"
EXPECT = "without optax"


def adam_update(grads, opt_state, learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    inner = optax.scale_by_adam(b1=b1, b2=b2, eps=eps)
    state = optax.ScaleByAdamState(count=opt_state["count"], mu=opt_state["mu"], nu=opt_state["nu"])
    scaled, state = inner.update(grads, state)
    updates = jax.tree.map(lambda u: -learning_rate * u, scaled)
    return updates, {"count": state.count, "mu": state.mu, "nu": state.nu}
