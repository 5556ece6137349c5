"""One JVP per basis vector in a Python loop: the traced program grows with n."""
TASK = "transforms.jacobian_fwd"
EXPECT = "grows with n"


def jacobian_fwd(f, x):
    basis = jnp.eye(x.shape[0], dtype=x.dtype)
    return jnp.stack([jax.jvp(f, (x,), (basis[j],))[1] for j in range(x.shape[0])], axis=1)
