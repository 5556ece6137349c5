"""The row axis hard-coded as axis=1: right for a 2-D batch only."""
TASK = "backprop.log_softmax"
EXPECT = 'axis 1 is out of bounds'


def log_softmax(logits):
    m = jnp.max(logits, axis=1, keepdims=True)
    return logits - m - jnp.log(jnp.sum(jnp.exp(logits - m), axis=1, keepdims=True))
