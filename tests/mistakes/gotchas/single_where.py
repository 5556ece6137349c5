"""One jnp.where: log(|0|) in the unused branch makes the gradient nan at 0."""
TASK = "gotchas.soft_clip"
EXPECT = "double-where"


def soft_clip(x):
    return jnp.where(jnp.abs(x) > 1, jnp.sign(x) * (1 + jnp.log(jnp.abs(x))), x)
