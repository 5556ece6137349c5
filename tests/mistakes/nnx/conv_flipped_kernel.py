"""Signal-processing convolution: the kernel is flipped before the patches meet it."""
TASK = "nnx.conv2d"
EXPECT = "differs in"


def conv2d(x, kernel, strides, padding):
    kh, kw = kernel.shape[:2]
    sh, sw = strides
    pads = jax.lax.padtype_to_pads(x.shape[1:3], (kh, kw), strides, padding)
    x = jnp.pad(x, ((0, 0), *pads, (0, 0)))
    out_h, out_w = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    flipped = kernel[::-1, ::-1]
    patches = jnp.stack([jnp.stack([x[:, a:a + (out_h - 1) * sh + 1:sh, b:b + (out_w - 1) * sw + 1:sw, :]
                                    for b in range(kw)], axis=3) for a in range(kh)], axis=3)
    return jnp.einsum("nhwabc,abco->nhwo", patches, flipped)
