"""The squared TD errors summed instead of averaged: the step grows with the batch."""
TASK = "pmap.td0_update"
EXPECT = "differs in"


def td0_update(params, s, r, s_next, gamma, lr):
    def loss(p):
        target = lax.stop_gradient(r + gamma * value(p, s_next))
        return 0.5 * jnp.sum((target - value(p, s)) ** 2)

    grads = jax.grad(loss)(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)
