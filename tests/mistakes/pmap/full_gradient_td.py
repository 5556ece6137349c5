"""No stop_gradient: the gradient also flows through the bootstrapped target (the full gradient)."""
TASK = "pmap.td0_update"
EXPECT = "full-gradient step"


def td0_update(params, s, r, s_next, gamma, lr):
    def loss(p):
        target = r + gamma * value(p, s_next)
        return 0.5 * jnp.mean((target - value(p, s)) ** 2)

    grads = jax.grad(loss)(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)
