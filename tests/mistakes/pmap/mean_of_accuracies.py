"""pmean of per-device accuracies: weights devices equally although they count different numbers of rows."""
TASK = "pmap.global_accuracy"
EXPECT = "average of the per-device accuracies"


def global_accuracy(logits, labels, valid):
    hits = (jnp.argmax(logits, axis=-1) == labels) & valid
    correct, count = jnp.sum(hits, dtype=jnp.int32), jnp.sum(valid, dtype=jnp.int32)
    accuracy = lax.pmean(correct / count, AXIS).astype(jnp.float32)
    return {"correct": lax.psum(correct, AXIS), "count": lax.psum(count, AXIS), "accuracy": accuracy}
