"""Building the Jacobian from JVPs in the reverse-mode task."""
TASK = "transforms.jacobian_rev"
EXPECT = "called jax.jvp"


def jacobian_rev(f, x):
    return jax.vmap(lambda v: jax.jvp(f, (x,), (v,))[1], out_axes=1)(jnp.eye(x.shape[0], dtype=x.dtype))
