"""The optimiser state initialised again inside every step: Adam forgets its moments."""
TASK = "transformer.train_lm"
EXPECT = "step by step"

def train_lm(params, ids, key, num_heads, steps, batch_size, block_size, learning_rate):
    optimizer = optax.adam(learning_rate)

    def loss_fn(p, x, y):
        return cross_entropy(transformer_lm(p, x, num_heads), y)

    def step(carry, step_key):
        p, opt_state = carry
        x, y = next_token_batch(ids, step_key, batch_size, block_size)
        loss, grads = jax.value_and_grad(loss_fn)(p, x, y)
        updates, opt_state = optimizer.update(grads, optimizer.init(p), p)
        return (optax.apply_updates(p, updates), opt_state), loss

    (params, _), losses = lax.scan(step, (params, optimizer.init(params)), jax.random.split(key, steps))
    return params, losses
