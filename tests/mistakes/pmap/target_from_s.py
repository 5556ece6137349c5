"""The target bootstrapped from V(s) instead of V(s_next)."""
TASK = "pmap.td0_update"
EXPECT = "differs in"


def td0_update(params, s, r, s_next, gamma, lr):
    def loss(p):
        target = lax.stop_gradient(r + gamma * value(p, s))
        return 0.5 * jnp.mean((target - value(p, s)) ** 2)

    grads = jax.grad(loss)(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)
