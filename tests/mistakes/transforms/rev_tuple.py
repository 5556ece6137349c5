"""Returning the tuple the pullback gives instead of its only entry."""
TASK = "transforms.jacobian_rev"
EXPECT = "expected an array"


def jacobian_rev(f, x):
    y, pull_back = jax.vjp(f, x)
    return jax.vmap(pull_back)(jnp.eye(y.shape[0], dtype=y.dtype))
