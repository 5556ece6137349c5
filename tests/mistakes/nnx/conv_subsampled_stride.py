"""Strides by subsampling the stride-1 output: right for VALID, wrong for SAME where the padding differs."""
TASK = "nnx.conv2d"
EXPECT = "'strided_same'"


def conv2d(x, kernel, strides, padding):
    _, h, w, _ = x.shape
    kh, kw = kernel.shape[:2]
    if padding == "SAME":
        pad_h, pad_w = kh - 1, kw - 1
        x = jnp.pad(x, ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)))
    out_h, out_w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    patches = jnp.stack([jnp.stack([x[:, a:a + out_h, b:b + out_w, :] for b in range(kw)], axis=3)
                         for a in range(kh)], axis=3)
    full = jnp.einsum("nhwabc,abco->nhwo", patches, kernel)
    return full[:, ::strides[0], ::strides[1]]
