"""Returning a NumPy array: the right numbers, not the promised jax.Array."""
TASK = "transforms.fd_gradient"
EXPECT = "promises a jax.Array"

import numpy as np


def fd_gradient(f, x, eps):
    with jax.enable_x64(True):
        x64 = jnp.asarray(x, dtype=jnp.float64)
        steps = eps * jnp.eye(x64.shape[0], dtype=jnp.float64)
        return np.asarray(jax.vmap(lambda s: (f(x64 + s) - f(x64 - s)) / (2 * eps))(steps))
