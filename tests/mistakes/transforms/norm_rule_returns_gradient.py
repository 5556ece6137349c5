"""A rule that returns the gradient x / norm as the tangent: an array where a scalar is due."""
TASK = "transforms.safe_norm"
EXPECT = "raised"


def safe_norm(x):
    @jax.custom_jvp
    def norm(x):
        return jnp.sqrt(jnp.sum(x * x))

    @norm.defjvp
    def rule(primals, tangents):
        (x,), (t,) = primals, tangents
        value = norm(x)
        return value, jnp.where(value > 0, x / jnp.where(value > 0, value, 1.0), 0.0)

    return norm(x)
