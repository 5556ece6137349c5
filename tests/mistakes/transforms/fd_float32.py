"""Central differences in float32: the rounding error of f, divided by eps."""
TASK = "transforms.fd_gradient"
EXPECT = "dtype float32, expected float64"


def fd_gradient(f, x, eps):
    steps = eps * jnp.eye(x.shape[0], dtype=x.dtype)
    return jax.vmap(lambda s: (f(x + s) - f(x - s)) / (2 * eps))(steps)
