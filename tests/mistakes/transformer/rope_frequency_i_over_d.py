"""Frequencies base ** (-i / d): the exponent is missing its factor 2."""
TASK = "transformer.rotary_embedding"
EXPECT = "`batched`"

def rotary_embedding(x, positions, base):
    d = x.shape[-1]
    half = d // 2
    theta = base ** (-jnp.arange(half, dtype=jnp.float32) / d)
    angle = positions[..., None].astype(jnp.float32) * theta
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    first, second = x[..., :half], x[..., half:]
    return jnp.concatenate([first * cos - second * sin, first * sin + second * cos], axis=-1)
