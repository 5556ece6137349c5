"""One gradient per output in a Python loop: the traced program grows with m."""
TASK = "transforms.jacobian_rev"
EXPECT = "grows with m"


def jacobian_rev(f, x):
    m = jax.eval_shape(f, x).shape[0]
    return jnp.stack([jax.grad(lambda z, i=i: f(z)[i])(x) for i in range(m)])
