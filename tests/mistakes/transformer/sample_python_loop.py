"""A Python loop over a growing sequence: one copy of the model per new token in the program."""
TASK = "transformer.sample"
EXPECT = "grows with num_tokens"

def sample(params, prompt, key, num_heads, num_tokens, temperature):
    seq = prompt
    for step_key in jax.random.split(key, num_tokens):
        logits = transformer_lm(params, seq[None], num_heads)[0, -1]
        token = jnp.argmax(logits) if temperature == 0 else jax.random.categorical(step_key, logits / temperature)
        seq = jnp.concatenate([seq, token.astype(jnp.int32)[None]])
    return seq[prompt.shape[0]:]
