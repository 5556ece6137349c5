"""No position embedding: the model cannot tell where a token is."""
TASK = "transformer.transformer_lm"
EXPECT = "`full`"

def transformer_lm(params, tokens, num_heads):
    length = tokens.shape[-1]
    x = params["embed"][tokens]
    for block in params["blocks"]:
        h = layer_norm(x, block["ln1"]["scale"], block["ln1"]["bias"], LN_EPS)
        x = x + multi_head_attention(block["attn"], h, num_heads)
        h = layer_norm(x, block["ln2"]["scale"], block["ln2"]["bias"], LN_EPS)
        x = x + jax.nn.gelu(h @ block["mlp"]["w1"] + block["mlp"]["b1"]) @ block["mlp"]["w2"] + block["mlp"]["b2"]
    return layer_norm(x, params["ln_f"]["scale"], params["ln_f"]["bias"], LN_EPS) @ params["unembed"]
