"""One maximum over the whole array instead of one per row: rows far below it underflow to log(0)."""
TASK = "backprop.log_softmax"
EXPECT = 'returned inf or nan'


def log_softmax(logits):
    shifted = logits - jnp.max(logits)
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=-1, keepdims=True))
