"""SAME padding as k // 2 zeros on both sides: right for odd kernels at stride 1 only."""
TASK = "nnx.conv2d"
EXPECT = "'even_kernel_same'"


def conv2d(x, kernel, strides, padding):
    kh, kw = kernel.shape[:2]
    sh, sw = strides
    if padding == "SAME":
        x = jnp.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    out_h, out_w = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    patches = jnp.stack([jnp.stack([x[:, a:a + (out_h - 1) * sh + 1:sh, b:b + (out_w - 1) * sw + 1:sw, :]
                                    for b in range(kw)], axis=3) for a in range(kh)], axis=3)
    return jnp.einsum("nhwabc,abco->nhwo", patches, kernel)
