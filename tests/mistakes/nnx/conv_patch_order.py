"""Patches flattened channel-first while the kernel is flattened tap-first: the products pair wrong entries."""
TASK = "nnx.conv2d"
EXPECT = "differs in"


def conv2d(x, kernel, strides, padding):
    kh, kw, c_in, c_out = kernel.shape
    sh, sw = strides
    pads = jax.lax.padtype_to_pads(x.shape[1:3], (kh, kw), strides, padding)
    x = jnp.pad(x, ((0, 0), *pads, (0, 0)))
    out_h, out_w = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    patches = jnp.stack([x[:, a:a + (out_h - 1) * sh + 1:sh, b:b + (out_w - 1) * sw + 1:sw, c]
                         for c in range(c_in) for a in range(kh) for b in range(kw)], axis=-1)
    return patches @ kernel.reshape(kh * kw * c_in, c_out)
