"""The squared norm (no square root), with a safe rule."""
TASK = "transforms.safe_norm"
EXPECT = "differs in"


def safe_norm(x):
    @jax.custom_jvp
    def norm(x):
        return jnp.sum(x * x)

    @norm.defjvp
    def rule(primals, tangents):
        (x,), (t,) = primals, tangents
        return norm(x), 2.0 * jnp.sum(x * t)

    return norm(x)
