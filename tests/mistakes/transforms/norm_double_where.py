"""The double-where trick: a finite gradient at zero, but no custom_jvp rule."""
TASK = "transforms.safe_norm"
EXPECT = "no custom_jvp_call"


def safe_norm(x):
    squares = jnp.sum(x * x)
    positive = squares > 0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, squares, 1.0)), 0.0)
