"""The mean log-probability of the labels, without the minus sign."""
TASK = "backprop.cross_entropy"
EXPECT = 'minus sign is missing'


def cross_entropy(logits, labels):
    return jnp.mean(jnp.take_along_axis(log_softmax(logits), jnp.asarray(labels)[:, None], axis=1))
