"""Dividing the central difference by eps instead of 2 eps."""
TASK = "transforms.fd_gradient"
EXPECT = "differs in"


def fd_gradient(f, x, eps):
    with jax.enable_x64(True):
        x64 = jnp.asarray(x, dtype=jnp.float64)
        steps = eps * jnp.eye(x64.shape[0], dtype=jnp.float64)
        return jax.vmap(lambda s: (f(x64 + s) - f(x64 - s)) / eps)(steps)
