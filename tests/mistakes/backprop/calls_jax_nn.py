"""Handing the task to jax.nn.log_softmax."""
TASK = "backprop.log_softmax"
EXPECT = 'in-process rule'


def log_softmax(logits):
    return jax.nn.log_softmax(logits, axis=-1)
