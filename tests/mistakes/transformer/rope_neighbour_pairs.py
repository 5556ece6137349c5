"""Pairs of neighbours (2i, 2i + 1), the other common layout, instead of (i, i + d/2)."""
TASK = "transformer.rotary_embedding"
EXPECT = "`batched`"

def rotary_embedding(x, positions, base):
    d = x.shape[-1]
    half = d // 2
    theta = base ** (-2.0 * jnp.arange(half, dtype=jnp.float32) / d)
    angle = positions[..., None].astype(jnp.float32) * theta
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    even, odd = x[..., 0::2], x[..., 1::2]
    turned = jnp.stack([even * cos - odd * sin, even * sin + odd * cos], axis=-1)
    return turned.reshape(x.shape)
