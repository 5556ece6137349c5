"""Heads merged by a reshape of (B, H, T, dh) without swapping back first."""
TASK = "transformer.multi_head_attention"
EXPECT = "`heads`"

def multi_head_attention(params, x, num_heads):
    batch, length, _ = x.shape

    def split(w):
        return jnp.swapaxes((x @ w).reshape(batch, length, num_heads, -1), 1, 2)

    out, _ = causal_attention(split(params["wq"]), split(params["wk"]), split(params["wv"]))
    return out.reshape(batch, length, -1) @ params["wo"]
