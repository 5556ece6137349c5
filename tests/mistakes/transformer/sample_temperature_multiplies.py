"""The logits multiplied by the temperature instead of divided."""
TASK = "transformer.sample"
EXPECT = "sample(params, prompt, key"

def sample(params, prompt, key, num_heads, num_tokens, temperature):
    length = prompt.shape[0]
    buffer = jnp.zeros(length + num_tokens, jnp.int32).at[:length].set(prompt)

    def step(buffer, inputs):
        i, step_key = inputs
        logits = transformer_lm(params, buffer[None], num_heads)[0, length - 1 + i]
        if temperature == 0:
            token = jnp.argmax(logits)
        else:
            token = jax.random.categorical(step_key, logits * temperature)
        token = token.astype(jnp.int32)
        return buffer.at[length + i].set(token), token

    _, tokens = lax.scan(step, buffer, (jnp.arange(num_tokens), jax.random.split(key, num_tokens)))
    return tokens
