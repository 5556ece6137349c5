"""Normalising g before rescaling: 0 / 0 when the cotangent is zero."""
TASK = "transforms.clip_gradient"
EXPECT = "not finite when the incoming cotangent g is zero"


def clip_gradient(x, max_norm):
    @jax.custom_vjp
    def identity(x):
        return x

    def backward(_, g):
        norm = jnp.sqrt(jnp.sum(g * g))
        return (g / norm * jnp.minimum(norm, max_norm),)

    identity.defvjp(lambda x: (x, None), backward)
    return identity(x)
