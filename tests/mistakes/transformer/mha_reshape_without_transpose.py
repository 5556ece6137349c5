"""A reshape straight to (B, H, T, dh): time steps and heads mixed."""
TASK = "transformer.multi_head_attention"
EXPECT = "`heads`"

def multi_head_attention(params, x, num_heads):
    batch, length, _ = x.shape

    def split(w):
        return (x @ w).reshape(batch, num_heads, length, -1)

    out, _ = causal_attention(split(params["wq"]), split(params["wk"]), split(params["wv"]))
    return jnp.swapaxes(out, 1, 2).reshape(batch, length, -1) @ params["wo"]
