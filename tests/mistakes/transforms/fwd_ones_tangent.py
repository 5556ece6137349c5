"""One JVP along a vector of ones: the sum of the columns, not the Jacobian."""
TASK = "transforms.jacobian_fwd"
EXPECT = "has shape"


def jacobian_fwd(f, x):
    return jax.jvp(f, (x,), (jnp.ones_like(x),))[1]
