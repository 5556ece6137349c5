"""Forward finite differences in float32 instead of JVPs: errors of about 1e-3."""
TASK = "transforms.jacobian_fwd"
EXPECT = "differs in"


def jacobian_fwd(f, x):
    h = 1e-3
    steps = h * jnp.eye(x.shape[0], dtype=x.dtype)
    return jax.vmap(lambda s: (f(x + s) - f(x)) / h, out_axes=1)(steps)
