"""A sinusoidal encoding added to x instead of a rotation: scores then see absolute positions."""
TASK = "transformer.rotary_embedding"
EXPECT = "depends only on m - n"

def rotary_embedding(x, positions, base):
    d = x.shape[-1]
    half = d // 2
    theta = base ** (-2.0 * jnp.arange(half, dtype=jnp.float32) / d)
    angle = positions[..., None].astype(jnp.float32) * theta
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    return x + jnp.concatenate([sin, cos], axis=-1)
