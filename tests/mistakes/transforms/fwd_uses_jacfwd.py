"""Calling jax.jacfwd instead of building the Jacobian from JVPs."""
TASK = "transforms.jacobian_fwd"
EXPECT = "called jax.jacfwd"


def jacobian_fwd(f, x):
    return jax.jacfwd(f)(x)
