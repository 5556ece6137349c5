"""Switching 64-bit mode on for the whole process with jax.config.update."""
TASK = "transforms.fd_gradient"
EXPECT = "64-bit mode was still on"


def fd_gradient(f, x, eps):
    jax.config.update("jax_enable_x64", True)
    x64 = jnp.asarray(x, dtype=jnp.float64)
    steps = eps * jnp.eye(x64.shape[0], dtype=jnp.float64)
    return jax.vmap(lambda s: (f(x64 + s) - f(x64 - s)) / (2 * eps))(steps)
