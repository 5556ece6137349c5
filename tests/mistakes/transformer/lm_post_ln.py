"""Post-LN blocks (the original Transformer's order): the layer norm after each residual sum."""
TASK = "transformer.transformer_lm"
EXPECT = "`full`"

def transformer_lm(params, tokens, num_heads):
    length = tokens.shape[-1]
    x = params["embed"][tokens] + params["pos"][:length]
    for block in params["blocks"]:
        x = layer_norm(x + multi_head_attention(block["attn"], x, num_heads), block["ln1"]["scale"], block["ln1"]["bias"], LN_EPS)
        mlp = block["mlp"]
        x = layer_norm(x + jax.nn.gelu(x @ mlp["w1"] + mlp["b1"]) @ mlp["w2"] + mlp["b2"], block["ln2"]["scale"], block["ln2"]["bias"], LN_EPS)
    return layer_norm(x, params["ln_f"]["scale"], params["ln_f"]["bias"], LN_EPS) @ params["unembed"]
