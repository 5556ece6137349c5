"""Positions 0 .. T - 1 from the array index instead of the positions given."""
TASK = "transformer.rotary_embedding"
EXPECT = "`batched`"

def rotary_embedding(x, positions, base):
    d = x.shape[-1]
    half = d // 2
    theta = base ** (-2.0 * jnp.arange(half, dtype=jnp.float32) / d)
    angle = jnp.arange(x.shape[-2], dtype=jnp.float32)[:, None] * theta
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    first, second = x[..., :half], x[..., half:]
    return jnp.concatenate([first * cos - second * sin, first * sin + second * cos], axis=-1)
