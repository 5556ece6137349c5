"""Rescaling every gradient to norm max_norm, small ones too (with a guard at zero)."""
TASK = "transforms.clip_gradient"
EXPECT = "`grad_below`"


def clip_gradient(x, max_norm):
    @jax.custom_vjp
    def identity(x):
        return x

    def backward(_, g):
        norm = jnp.sqrt(jnp.sum(g * g))
        return (jnp.where(norm > 0, g * max_norm / jnp.where(norm > 0, norm, 1.0), 0.0),)

    identity.defvjp(lambda x: (x, None), backward)
    return identity(x)
