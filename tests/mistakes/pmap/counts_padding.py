"""Every row counted, padding rows included."""
TASK = "pmap.global_accuracy"
EXPECT = "padding rows included"


def global_accuracy(logits, labels, valid):
    hits = (jnp.argmax(logits, axis=-1) == labels) & valid
    correct = lax.psum(jnp.sum(hits, dtype=jnp.int32), AXIS)
    count = lax.psum(jnp.int32(labels.shape[0]), AXIS)
    return {"correct": correct, "count": count, "accuracy": (correct / count).astype(jnp.float32)}
