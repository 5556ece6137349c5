"""Building the Jacobian from VJPs in the forward-mode task."""
TASK = "transforms.jacobian_fwd"
EXPECT = "called jax.vjp"


def jacobian_fwd(f, x):
    y, pull_back = jax.vjp(f, x)
    return jax.vmap(pull_back)(jnp.eye(y.shape[0], dtype=y.dtype))[0]
