"""log(sum(exp(z))) without the max shift: exp(1000) overflows to inf."""
TASK = "backprop.log_softmax"
EXPECT = 'returned inf or nan'


def log_softmax(logits):
    return logits - jnp.log(jnp.sum(jnp.exp(logits), axis=-1, keepdims=True))
