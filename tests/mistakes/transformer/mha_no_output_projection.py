"""The merged heads returned without the output projection wo."""
TASK = "transformer.multi_head_attention"
EXPECT = "`heads`"

def multi_head_attention(params, x, num_heads):
    batch, length, _ = x.shape

    def split(w):
        return jnp.swapaxes((x @ w).reshape(batch, length, num_heads, -1), 1, 2)

    out, _ = causal_attention(split(params["wq"]), split(params["wk"]), split(params["wv"]))
    return jnp.swapaxes(out, 1, 2).reshape(batch, length, -1)
