"""Right predictions on padding rows counted as correct (the valid mask only used for the count)."""
TASK = "pmap.global_accuracy"
EXPECT = "counts the padding rows predicted right"


def global_accuracy(logits, labels, valid):
    hits = jnp.argmax(logits, axis=-1) == labels
    correct = lax.psum(jnp.sum(hits, dtype=jnp.int32), AXIS)
    count = lax.psum(jnp.sum(valid, dtype=jnp.int32), AXIS)
    return {"correct": correct, "count": count, "accuracy": (correct / count).astype(jnp.float32)}
