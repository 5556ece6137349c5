"""Clipping each entry of the gradient to [-max_norm, max_norm] instead of its norm."""
TASK = "transforms.clip_gradient"
EXPECT = "differs in"


def clip_gradient(x, max_norm):
    @jax.custom_vjp
    def identity(x):
        return x

    identity.defvjp(lambda x: (x, None), lambda _, g: (jnp.clip(g, -max_norm, max_norm),))
    return identity(x)
