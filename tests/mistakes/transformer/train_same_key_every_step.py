"""The same key for every step's batch: the same batch over and over."""
TASK = "transformer.train_lm"
EXPECT = "jax.debug_key_reuse reports"

def train_lm(params, ids, key, num_heads, steps, batch_size, block_size, learning_rate):
    optimizer = optax.adam(learning_rate)

    def loss_fn(p, x, y):
        return cross_entropy(transformer_lm(p, x, num_heads), y)

    def step(carry, step_key):
        p, opt_state = carry
        x, y = next_token_batch(ids, key, batch_size, block_size)
        loss, grads = jax.value_and_grad(loss_fn)(p, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, p)
        return (optax.apply_updates(p, updates), opt_state), loss

    (params, _), losses = lax.scan(step, (params, optimizer.init(params)), jax.random.split(key, steps))
    return params, losses
