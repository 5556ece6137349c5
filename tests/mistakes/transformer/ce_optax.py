"""Optax's integer-label cross-entropy, averaged."""
TASK = "transformer.cross_entropy"
EXPECT = "called optax.softmax_cross_entropy_with_integer_labels"

def cross_entropy(logits, targets):
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, targets))
