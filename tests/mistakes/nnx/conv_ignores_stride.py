"""The strides are ignored: every position is computed."""
TASK = "nnx.conv2d"
EXPECT = "has shape"


def conv2d(x, kernel, strides, padding):
    kh, kw = kernel.shape[:2]
    pads = jax.lax.padtype_to_pads(x.shape[1:3], (kh, kw), (1, 1), padding)
    x = jnp.pad(x, ((0, 0), *pads, (0, 0)))
    out_h, out_w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    patches = jnp.stack([jnp.stack([x[:, a:a + out_h, b:b + out_w, :] for b in range(kw)], axis=3)
                         for a in range(kh)], axis=3)
    return jnp.einsum("nhwabc,abco->nhwo", patches, kernel)
