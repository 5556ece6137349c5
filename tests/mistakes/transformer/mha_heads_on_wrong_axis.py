"""The width reshaped to (dh, H): head h takes every H-th column instead of a block."""
TASK = "transformer.multi_head_attention"
EXPECT = "`heads`"

def multi_head_attention(params, x, num_heads):
    batch, length, _ = x.shape

    def split(w):
        return jnp.transpose((x @ w).reshape(batch, length, -1, num_heads), (0, 3, 1, 2))

    out, _ = causal_attention(split(params["wq"]), split(params["wk"]), split(params["wv"]))
    return jnp.swapaxes(out, 1, 2).reshape(batch, length, -1) @ params["wo"]
