"""The gradient of the summed outputs: one VJP with a cotangent of ones, a single row."""
TASK = "transforms.jacobian_rev"
EXPECT = "has shape"


def jacobian_rev(f, x):
    return jax.grad(lambda z: jnp.sum(f(z)))(x)
