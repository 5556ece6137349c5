"""A custom_jvp rule that divides by the norm without a guard: 0 / 0 at zero."""
TASK = "transforms.safe_norm"
EXPECT = "is not finite"


def safe_norm(x):
    @jax.custom_jvp
    def norm(x):
        return jnp.sqrt(jnp.sum(x * x))

    @norm.defjvp
    def rule(primals, tangents):
        (x,), (t,) = primals, tangents
        value = norm(x)
        return value, jnp.sum(x * t) / value

    return norm(x)
