"""SAME padding with the odd zero before instead of after."""
TASK = "nnx.conv2d"
EXPECT = "'even_kernel_same'"


def conv2d(x, kernel, strides, padding):
    _, h, w, _ = x.shape
    kh, kw = kernel.shape[:2]
    sh, sw = strides
    if padding == "SAME":
        out_h, out_w = -(-h // sh), -(-w // sw)
        pad_h, pad_w = max((out_h - 1) * sh + kh - h, 0), max((out_w - 1) * sw + kw - w, 0)
        x = jnp.pad(x, ((0, 0), (pad_h - pad_h // 2, pad_h // 2), (pad_w - pad_w // 2, pad_w // 2), (0, 0)))
    else:
        out_h, out_w = (h - kh) // sh + 1, (w - kw) // sw + 1
    patches = jnp.stack([jnp.stack([x[:, a:a + (out_h - 1) * sh + 1:sh, b:b + (out_w - 1) * sw + 1:sw, :]
                                    for b in range(kw)], axis=3) for a in range(kh)], axis=3)
    return jnp.einsum("nhwabc,abco->nhwo", patches, kernel)
