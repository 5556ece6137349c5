"""vmap stacks the JVPs along axis 0: the columns come back as rows (n x m)."""
TASK = "transforms.jacobian_fwd"
EXPECT = "transpose of the Jacobian"


def jacobian_fwd(f, x):
    return jax.vmap(lambda v: jax.jvp(f, (x,), (v,))[1])(jnp.eye(x.shape[0], dtype=x.dtype))
