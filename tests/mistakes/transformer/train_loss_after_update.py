"""The loss recorded after the update, of the new parameters."""
TASK = "transformer.train_lm"
EXPECT = "losses[0] is"

def train_lm(params, ids, key, num_heads, steps, batch_size, block_size, learning_rate):
    optimizer = optax.adam(learning_rate)

    def loss_fn(p, x, y):
        return cross_entropy(transformer_lm(p, x, num_heads), y)

    def step(carry, step_key):
        p, opt_state = carry
        x, y = next_token_batch(ids, step_key, batch_size, block_size)
        grads = jax.grad(loss_fn)(p, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, p)
        p = optax.apply_updates(p, updates)
        return (p, opt_state), loss_fn(p, x, y)

    (params, _), losses = lax.scan(step, (params, optimizer.init(params)), jax.random.split(key, steps))
    return params, losses
