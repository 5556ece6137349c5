"""Calling jax.jacobian (reverse mode, but jax's own Jacobian function)."""
TASK = "transforms.jacobian_rev"
EXPECT = "called jax.jacobian"


def jacobian_rev(f, x):
    return jax.jacobian(f)(x)
