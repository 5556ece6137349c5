"""num_heads ignored: one head as wide as all of them."""
TASK = "transformer.multi_head_attention"
EXPECT = "`heads`"

def multi_head_attention(params, x, num_heads):
    out, _ = causal_attention(x @ params["wq"], x @ params["wk"], x @ params["wv"])
    return out @ params["wo"]
