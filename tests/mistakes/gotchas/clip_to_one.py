"""Hard clipping to [-1, 1] instead of the log tail."""
TASK = "gotchas.soft_clip"
EXPECT = "`eager`"

def soft_clip(x):
    return jnp.clip(x, -1.0, 1.0)
