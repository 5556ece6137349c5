"""sign(x) * log|x| outside, forgetting the 1 + (the curve jumps at +-1)."""
TASK = "gotchas.soft_clip"
EXPECT = "`eager`"

def soft_clip(x):
    outside = jnp.abs(x) > 1
    return jnp.where(outside, jnp.sign(x) * jnp.log(jnp.where(outside, jnp.abs(x), 1.0)), x)
