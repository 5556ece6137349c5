"""A stable softmax, then its log: entries far below the row maximum have a softmax of 0 and a log of -inf."""
TASK = "backprop.log_softmax"
EXPECT = 'returned inf or nan'


def log_softmax(logits):
    e = jnp.exp(logits - jnp.max(logits, axis=-1, keepdims=True))
    return jnp.log(e / jnp.sum(e, axis=-1, keepdims=True))
